"""Regulatory status: status keywords, jurisdictions and what openFDA records mean.

Shared by the ``regulatory-status`` directive (validation), the openFDA client
(record shape) and the renderer.  Jurisdictions are ISO 3166-1 alpha-2 codes
(English short names, after ISO 3166 / CLDR) plus ``EU`` and ``WHO``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

#: Domain bucket holding, per page, the lower-cased names to look up at the FDA.
FDA_BUCKET = "openfda"
#: Lockfile section of the openFDA look-ups.
FDA_SECTION = "openfda"

#: Status keyword -> the words shown on the badge.
STATUSES: dict[str, str] = {
    "approved": "Approved",
    "approved-not-marketed": "Approved, not marketed",
    "tentative": "Tentative approval",
    "not-approved": "Not approved",
    "withdrawn": "Withdrawn",
    "withdrawn-safety": "Withdrawn for safety reasons",
    "refused": "Refused",
    "unknown": "Unknown",
}

ALLOWED_JURISDICTIONS = "an ISO 3166-1 alpha-2 code (such as US, GB, RU, CN), EU or WHO"

#: Codes people write that are not ISO 3166-1 alpha-2, with the code they mean.
CODE_HINTS: dict[str, str] = {"UK": "GB", "EL": "GR"}

#: ISO 3166-1 alpha-2 code -> English short name (249 officially assigned codes).
COUNTRIES: dict[str, str] = {
    "AD": "Andorra",
    "AE": "United Arab Emirates",
    "AF": "Afghanistan",
    "AG": "Antigua and Barbuda",
    "AI": "Anguilla",
    "AL": "Albania",
    "AM": "Armenia",
    "AO": "Angola",
    "AQ": "Antarctica",
    "AR": "Argentina",
    "AS": "American Samoa",
    "AT": "Austria",
    "AU": "Australia",
    "AW": "Aruba",
    "AX": "Åland Islands",
    "AZ": "Azerbaijan",
    "BA": "Bosnia and Herzegovina",
    "BB": "Barbados",
    "BD": "Bangladesh",
    "BE": "Belgium",
    "BF": "Burkina Faso",
    "BG": "Bulgaria",
    "BH": "Bahrain",
    "BI": "Burundi",
    "BJ": "Benin",
    "BL": "Saint Barthélemy",
    "BM": "Bermuda",
    "BN": "Brunei",
    "BO": "Bolivia",
    "BQ": "Bonaire, Sint Eustatius and Saba",
    "BR": "Brazil",
    "BS": "Bahamas",
    "BT": "Bhutan",
    "BV": "Bouvet Island",
    "BW": "Botswana",
    "BY": "Belarus",
    "BZ": "Belize",
    "CA": "Canada",
    "CC": "Cocos (Keeling) Islands",
    "CD": "Congo, Democratic Republic of the",
    "CF": "Central African Republic",
    "CG": "Congo",
    "CH": "Switzerland",
    "CI": "Côte d'Ivoire",
    "CK": "Cook Islands",
    "CL": "Chile",
    "CM": "Cameroon",
    "CN": "China",
    "CO": "Colombia",
    "CR": "Costa Rica",
    "CU": "Cuba",
    "CV": "Cape Verde",
    "CW": "Curaçao",
    "CX": "Christmas Island",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DJ": "Djibouti",
    "DK": "Denmark",
    "DM": "Dominica",
    "DO": "Dominican Republic",
    "DZ": "Algeria",
    "EC": "Ecuador",
    "EE": "Estonia",
    "EG": "Egypt",
    "EH": "Western Sahara",
    "ER": "Eritrea",
    "ES": "Spain",
    "ET": "Ethiopia",
    "FI": "Finland",
    "FJ": "Fiji",
    "FK": "Falkland Islands (Malvinas)",
    "FM": "Micronesia (Federated States of)",
    "FO": "Faroe Islands",
    "FR": "France",
    "GA": "Gabon",
    "GB": "United Kingdom",
    "GD": "Grenada",
    "GE": "Georgia",
    "GF": "French Guiana",
    "GG": "Guernsey",
    "GH": "Ghana",
    "GI": "Gibraltar",
    "GL": "Greenland",
    "GM": "Gambia",
    "GN": "Guinea",
    "GP": "Guadeloupe",
    "GQ": "Equatorial Guinea",
    "GR": "Greece",
    "GS": "South Georgia and the South Sandwich Islands",
    "GT": "Guatemala",
    "GU": "Guam",
    "GW": "Guinea-Bissau",
    "GY": "Guyana",
    "HK": "Hong Kong",
    "HM": "Heard Island and McDonald Islands",
    "HN": "Honduras",
    "HR": "Croatia",
    "HT": "Haiti",
    "HU": "Hungary",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IL": "Israel",
    "IM": "Isle of Man",
    "IN": "India",
    "IO": "British Indian Ocean Territory",
    "IQ": "Iraq",
    "IR": "Iran",
    "IS": "Iceland",
    "IT": "Italy",
    "JE": "Jersey",
    "JM": "Jamaica",
    "JO": "Jordan",
    "JP": "Japan",
    "KE": "Kenya",
    "KG": "Kyrgyzstan",
    "KH": "Cambodia",
    "KI": "Kiribati",
    "KM": "Comoros",
    "KN": "Saint Kitts and Nevis",
    "KP": "Korea (Democratic People's Republic of)",
    "KR": "Korea, Republic of",
    "KW": "Kuwait",
    "KY": "Cayman Islands",
    "KZ": "Kazakhstan",
    "LA": "Lao People's Democratic Republic",
    "LB": "Lebanon",
    "LC": "Saint Lucia",
    "LI": "Liechtenstein",
    "LK": "Sri Lanka",
    "LR": "Liberia",
    "LS": "Lesotho",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "LY": "Libya",
    "MA": "Morocco",
    "MC": "Monaco",
    "MD": "Moldova",
    "ME": "Montenegro",
    "MF": "Saint Martin (French part)",
    "MG": "Madagascar",
    "MH": "Marshall Islands",
    "MK": "North Macedonia",
    "ML": "Mali",
    "MM": "Myanmar",
    "MN": "Mongolia",
    "MO": "Macao",
    "MP": "Northern Mariana Islands",
    "MQ": "Martinique",
    "MR": "Mauritania",
    "MS": "Montserrat",
    "MT": "Malta",
    "MU": "Mauritius",
    "MV": "Maldives",
    "MW": "Malawi",
    "MX": "Mexico",
    "MY": "Malaysia",
    "MZ": "Mozambique",
    "NA": "Namibia",
    "NC": "New Caledonia",
    "NE": "Niger",
    "NF": "Norfolk Island",
    "NG": "Nigeria",
    "NI": "Nicaragua",
    "NL": "Netherlands",
    "NO": "Norway",
    "NP": "Nepal",
    "NR": "Nauru",
    "NU": "Niue",
    "NZ": "New Zealand",
    "OM": "Oman",
    "PA": "Panama",
    "PE": "Peru",
    "PF": "French Polynesia",
    "PG": "Papua New Guinea",
    "PH": "Philippines",
    "PK": "Pakistan",
    "PL": "Poland",
    "PM": "Saint Pierre and Miquelon",
    "PN": "Pitcairn Islands",
    "PR": "Puerto Rico",
    "PS": "Palestine, State of",
    "PT": "Portugal",
    "PW": "Palau",
    "PY": "Paraguay",
    "QA": "Qatar",
    "RE": "Réunion",
    "RO": "Romania",
    "RS": "Serbia",
    "RU": "Russia",
    "RW": "Rwanda",
    "SA": "Saudi Arabia",
    "SB": "Solomon Islands",
    "SC": "Seychelles",
    "SD": "Sudan",
    "SE": "Sweden",
    "SG": "Singapore",
    "SH": "Saint Helena, Ascension and Tristan da Cunha",
    "SI": "Slovenia",
    "SJ": "Svalbard and Jan Mayen",
    "SK": "Slovakia",
    "SL": "Sierra Leone",
    "SM": "San Marino",
    "SN": "Senegal",
    "SO": "Somalia",
    "SR": "Suriname",
    "SS": "South Sudan",
    "ST": "São Tomé and Príncipe",
    "SV": "El Salvador",
    "SX": "Sint Maarten (Dutch part)",
    "SY": "Syria",
    "SZ": "Eswatini",
    "TC": "Turks and Caicos Islands",
    "TD": "Chad",
    "TF": "French Southern Territories",
    "TG": "Togo",
    "TH": "Thailand",
    "TJ": "Tajikistan",
    "TK": "Tokelau",
    "TL": "Timor-Leste",
    "TM": "Turkmenistan",
    "TN": "Tunisia",
    "TO": "Tonga",
    "TR": "Türkiye",
    "TT": "Trinidad and Tobago",
    "TV": "Tuvalu",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "UA": "Ukraine",
    "UG": "Uganda",
    "UM": "United States Minor Outlying Islands",
    "US": "United States",
    "UY": "Uruguay",
    "UZ": "Uzbekistan",
    "VA": "Holy See",
    "VC": "Saint Vincent and the Grenadines",
    "VE": "Venezuela",
    "VG": "Virgin Islands (British)",
    "VI": "Virgin Islands (U.S.)",
    "VN": "Vietnam",
    "VU": "Vanuatu",
    "WF": "Wallis and Futuna",
    "WS": "Samoa",
    "YE": "Yemen",
    "YT": "Mayotte",
    "ZA": "South Africa",
    "ZM": "Zambia",
    "ZW": "Zimbabwe",
}

#: Every jurisdiction a field may name: countries plus the EU and the WHO.
JURISDICTIONS: dict[str, str] = {
    **COUNTRIES,
    "EU": "European Union",
    "WHO": "World Health Organization",
}

_KEYWORD_RE = re.compile(r"^\s*([A-Za-z]+(?:[-_][A-Za-z]+)*)(.*)$", re.DOTALL)
_SEPARATOR_RE = re.compile(r"^\s*(?:[\u2014\u2013:;,]|-{1,3}(?=\s|$))?\s*")
_SOURCE_RE = re.compile(r"(?:^|(?<=\s)|(?<=[.;,]))(Sources?:)\s*", re.IGNORECASE)


def jurisdiction_name(code: str) -> str | None:
    """Full name of a jurisdiction code (case-insensitive), or None when it is not one."""
    return JURISDICTIONS.get(code.strip().upper())


def split_status(text: str) -> tuple[str, str]:
    """``"not-approved — no record"`` -> ``("not-approved", "no record")`` (keyword lower-cased)."""
    match = _KEYWORD_RE.match(text)
    if not match:
        return "", text.strip()
    keyword = match.group(1).lower().replace("_", "-")
    rest = _SEPARATOR_RE.sub("", match.group(2), count=1)
    return keyword, rest


def find_source_marker(text: str) -> re.Match[str] | None:
    """Where a ``Source:``/``Sources:`` marker starts the source part of a details text."""
    return _SOURCE_RE.search(text)


def parse_date(text: str) -> dt.date | None:
    """An ISO date ``YYYY-MM-DD``, or None when ``text`` is not one."""
    text = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def fda_key(name: str) -> str:
    """The lockfile key of an FDA look-up: the name lower-cased, spaces collapsed, quotes dropped."""
    return " ".join(re.sub(r'["\\]', " ", name).split()).lower()


def age_in_days(date_text: str, today: dt.date) -> int | None:
    """Days from ``date_text`` (ISO) to ``today``; None when it is not a date."""
    date = parse_date(date_text)
    return None if date is None else (today - date).days


# --------------------------------------------------------------------------- FDA records

MARKETING_STATUS = {"1": "Prescription", "2": "Over-the-counter", "3": "Discontinued",
                    "4": "None (Tentative Approval)"}
MARKETED = {"Prescription", "Over-the-counter"}
TENTATIVE = "None (Tentative Approval)"


@dataclass(frozen=True)
class FdaApplication:
    """One Drugs@FDA application as kept in the lockfile."""

    number: str
    sponsor: str = ""
    brand_names: tuple[str, ...] = ()
    marketing_status: tuple[str, ...] = ()
    approved: str = ""

    @property
    def marketed(self) -> bool:
        """True when some product is sold (prescription or over the counter)."""
        return any(s in MARKETED for s in self.marketing_status)

    @property
    def url(self) -> str:
        """The application's overview page on Drugs@FDA."""
        digits = re.sub(r"\D", "", self.number)
        return f"https://www.accessdata.fda.gov/scripts/cder/daf/index.cfm?event=overview.process&ApplNo={digits}"

    def to_json(self) -> dict[str, Any]:
        """The lockfile form."""
        return {"application_number": self.number, "sponsor": self.sponsor,
                "brand_names": list(self.brand_names), "marketing_status": list(self.marketing_status),
                "approved": self.approved}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FdaApplication:
        """Read the lockfile form (tolerating missing fields)."""
        return cls(str(data.get("application_number", "")), str(data.get("sponsor", "")),
                   tuple(str(b) for b in data.get("brand_names") or ()),
                   tuple(str(s) for s in data.get("marketing_status") or ()), str(data.get("approved", "")))


@dataclass(frozen=True)
class FdaRecord:
    """What one openFDA look-up by name found (``applications`` empty: no application on record)."""

    name: str
    checked: str
    applications: tuple[FdaApplication, ...] = ()
    total: int = 0
    data_updated: str = ""

    @property
    def status(self) -> str:
        """The status keyword the record supports for the US."""
        if not self.applications:
            return "not-approved"
        if any(a.marketed for a in self.applications):
            return "approved"
        if all(a.marketing_status and set(a.marketing_status) <= {TENTATIVE} for a in self.applications):
            return "tentative"
        return "approved-not-marketed"

    def to_json(self) -> dict[str, Any]:
        """The lockfile form."""
        return {"name": self.name, "checked": self.checked, "total": self.total,
                "data_updated": self.data_updated,
                "applications": [a.to_json() for a in self.applications]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FdaRecord:
        """Read the lockfile form."""
        return cls(str(data.get("name", "")), str(data.get("checked", "")),
                   tuple(FdaApplication.from_json(a) for a in data.get("applications") or () if isinstance(a, dict)),
                   int(data.get("total") or 0), str(data.get("data_updated", "")))


#: For each status openFDA supports, the author's US statuses that agree with it.
AGREES: dict[str, frozenset[str]] = {
    "approved": frozenset({"approved"}),
    "approved-not-marketed": frozenset({"approved-not-marketed", "withdrawn", "withdrawn-safety"}),
    "tentative": frozenset({"tentative", "not-approved"}),
    # Drugs@FDA lacks some old or withdrawn approvals, so "withdrawn" is not a contradiction.
    "not-approved": frozenset({"not-approved", "refused", "withdrawn", "withdrawn-safety"}),
}


def combined_status(records: list[FdaRecord]) -> str:
    """The US status several look-ups (one per name) support together."""
    apps = tuple(a for r in records for a in r.applications)
    return FdaRecord("", "", apps).status


def disagrees(author_status: str, fda_status: str) -> bool:
    """True when the author's US status contradicts what openFDA found (``unknown`` never does)."""
    if author_status == "unknown" or author_status not in STATUSES:
        return False
    return author_status not in AGREES.get(fda_status, frozenset({author_status}))


@dataclass
class Row:
    """One jurisdiction line of a ``regulatory-status`` directive (stored on the placeholder)."""

    code: str
    status: str
    line: int | None = None
    known_code: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
