"""Business actions on 评估/验收 applications; views, commands and the demo call only these."""

from .batches import batch_submit, default_letter, default_title, waiting  # noqa: F401
from .chain import STEP_OF_STATE, STEPS, application_decide  # noqa: F401
from .common import organizer_for, route  # noqa: F401
from .forms import (  # noqa: F401
    application_save,
    application_start,
    application_submit,
    eligibility,
    eligibility_many,
    passed_evaluation,
)
from .results import application_result_confirm, application_result_propose  # noqa: F401
