"""The tests' view of the chain, read from cpaudit.applications.transitions (never written again here):
for each review or approval (an online DECIDE row, outside 定州's variant) the state it is taken in,
the role that takes it, where agreement leads and the level a return names."""

from cpaudit.applications import transitions

_ROWS = [row for row in transitions.TRANSITIONS
         if row.page == transitions.DECIDE and row.when != "direct" and row.outcome == "agree"]
STEP_STATE = {row.action: row.source for row in _ROWS}
STEP_ROLE = {row.action: transitions.ROLES[(row.party, row.desk)] for row in _ROWS}
AGREE_TO = {row.action: row.target for row in _ROWS}
STEP_LEVEL = {row.action: row.party for row in _ROWS}
