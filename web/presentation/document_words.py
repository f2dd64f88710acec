"""Words of the convention's documents: their kinds, refusals and history.

``labels.py`` merges ``DOCUMENT_LABELS`` and ``DOCUMENT_RULES`` into its tables and
``history.py`` merges ``DOCUMENT_SENTENCES``, as for the plan's words.
"""

from __future__ import annotations

from enum import Enum

from governance.convention.values import DocumentKind
from web.i18n import N_

DOCUMENT_LABELS: dict[Enum, str] = {
    DocumentKind.LETTER_OF_COMMITMENT: N_("Letter of commitment"),
    DocumentKind.LETTER_OF_SUPPORT: N_("Letter of support"),
    DocumentKind.PARTNERSHIP_CONVENTION: N_("Partnership convention"),
    DocumentKind.CONSORTIUM_AGREEMENT: N_("Consortium agreement"),
    DocumentKind.FUNDING_AGREEMENT: N_("Funding agreement or award decision"),
    DocumentKind.AMENDMENT: N_("Signed amendment"),
}

DOCUMENT_RULES: dict[str, str] = {
    "document.title_required": N_("Give the document a title."),
    "document.signed_by_required": N_("Say who signed for the partner."),
    "document.text_too_long": N_("At most %(limit)s characters."),
    "document.partner_required": N_("A letter is one partner's: choose the partner."),
    "document.partner_only_for_letters": N_(
        "Only a letter of commitment or support names one partner."
    ),
    "document.amendment_required": N_("Choose the amendment this copy is of."),
    "document.amendment_only_for_amendments": N_(
        "Only an amendment's signed copy names an amendment."
    ),
    "document.amendment_unknown": N_("This amendment is not one of this consortium's."),
    "document.partner_not_active": N_("Choose an active partner of the consortium."),
    "document.same_file": N_("This file is already the latest version."),
    "document.signed_by_its_partner": N_("A letter is signed by its own partner only."),
    "document.already_signed": N_("This partner already signed this version."),
    "document.signed_in_the_future": N_("A signature cannot be dated in the future."),
    "document.file_required": N_("Choose the file to upload."),
}

DOCUMENT_SENTENCES: dict[str, str] = {
    "document_filed": N_("filed the document “%(title)s” (%(document_kind)s)"),
    "document_version_filed": N_("filed a new version of the document “%(title)s”"),
    "document_signed": N_(
        "recorded that %(partner)s signed “%(title)s”: %(signed_by)s, %(on)s"
    ),
}
