"""Writes of casework, by subject; import from here (``from casework import services``)."""

from casework.services.agreements import (  # noqa: F401
    agreement_create,
    agreement_owner_candidates,
    agreement_owner_organisations,
    agreement_reopen,
    agreement_resolve,
    agreement_update,
)
from casework.services.register import (  # noqa: F401 - the public names, for readers and mypy
    MAX_MEMBERS,
    REFERRER_ROLES,
    IdentityData,
    MemberInput,
    case_refer,
    default_note_visibility,
    identity_reveal,
    note_add,
    note_author_organisation,
    participation_add,
    participation_revoke,
)
