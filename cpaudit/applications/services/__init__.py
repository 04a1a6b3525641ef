"""Business actions on 评估/验收 applications; views, commands and the demo call only these."""

from .assistance import assistance_record, assistance_request  # noqa: F401
from .attachments import attachment_open, attachment_upload  # noqa: F401
from .basis import basis_changed, correction_review, seen_token  # noqa: F401
from .batches import batch_submit, default_letter, default_title, waiting  # noqa: F401
from .chain import application_decide, application_record_reply  # noqa: F401
from .common import chain_route, organizer_for, route  # noqa: F401
from .forms import (  # noqa: F401
    application_save,
    application_start,
    application_submit,
    application_withdraw,
    eligibility,
    eligibility_many,
    passed_evaluation,
)
from .paper import paper_agency_remove, paper_agency_set  # noqa: F401
from .results import application_result_confirm, application_result_propose  # noqa: F401
