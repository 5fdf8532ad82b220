"""Demo data drawn from the seed documents (see ``../shared/seeds``), with fictional
provider names. Figures follow the seeds:

- Medway's Support to Live at Home framework: 13 homecare providers (1 April 2024 to
  31 March 2028) rated 6 requires improvement, 6 good and 1 not yet rated (the April
  2024 proportions), plus 2 Extra Care providers over the 5 named schemes;
- a second council (Waltham Forest) with 5 geographical lots, 10 framework providers at
  £17.17 to £18.20 an hour, spot providers and providers still on the old DPS at
  £15.38 to £16.14;
- Kensington and Chelsea with north and south patches, 3 patch (block) providers at
  £21.21 (two good, one requires improvement) and spot providers at £19.21.

Exactly one provider holds contracts with two councils; the demo provider users work
there. Ratings, managers and sponsor licences include the cases the risk rules look
for: inadequate, requires improvement, no registered manager, a suspended and a revoked
sponsor licence.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

MEDWAY_HOMECARE = "Support to Live at Home (Homecare)"
MEDWAY_EXTRA_CARE = "Support to Live at Home (Extra Care)"
WF_HOMECARE = "Homecare Framework 2022"
RBKC_HOMECARE = "Homecare Patch Contracts"

COUNCILS: list[dict] = [
    {
        "name": "Medway Council",
        "slug": "medway",
        # Went live seven months ago: the history submits the six earlier months and
        # leaves last month's to do.
        "go_live_months_ago": 7,
        "frameworks": [
            {
                "name": MEDWAY_HOMECARE,
                "service_type": "homecare",
                "start_date": date(2024, 4, 1),
                "end_date": date(2028, 3, 31),
                "areas": [
                    {"name": district, "kind": "postcode_district"}
                    for district in ("ME1", "ME2", "ME3", "ME4", "ME5", "ME7", "ME8")
                ],
            },
            {
                "name": MEDWAY_EXTRA_CARE,
                "service_type": "extra_care",
                "start_date": date(2024, 4, 1),
                "end_date": date(2028, 3, 31),
                "areas": [
                    {"name": "Bellerophon House, Rochester", "kind": "scheme"},
                    {"name": "Montgomery Court, Wainscott", "kind": "scheme"},
                    {"name": "Prospect Place, Gillingham", "kind": "scheme"},
                    {"name": "Atlas Place, St Mary's Island", "kind": "scheme"},
                    {"name": "Rogallo Place, Horsted", "kind": "scheme"},
                ],
            },
        ],
    },
    {
        "name": "London Borough of Waltham Forest",
        "slug": "waltham-forest",
        "go_live_months_ago": 1,  # last month's returns are the first it asks for
        "frameworks": [
            {
                "name": WF_HOMECARE,
                "service_type": "homecare",
                "start_date": date(2022, 10, 1),
                # Four years from October 2022, plus the one-year extension.
                "end_date": date(2027, 9, 30),
                "areas": [{"name": f"Lot {n}", "kind": "lot"} for n in range(1, 6)],
            },
        ],
    },
    {
        "name": "Royal Borough of Kensington and Chelsea",
        "slug": "kensington-chelsea",
        "go_live_months_ago": 1,
        "frameworks": [
            {
                "name": RBKC_HOMECARE,
                "service_type": "homecare",
                "start_date": date(2019, 4, 1),
                "end_date": date(2027, 3, 31),
                "areas": [
                    {"name": "North patch", "kind": "patch"},
                    {"name": "South patch", "kind": "patch"},
                ],
            },
        ],
    },
]

_location_numbers = iter(range(1_100_000_001, 1_200_000_000, 7919))


def _branch(
    name: str,
    rating: str,
    rated_on: date | None,
    *,
    manager: bool = True,
    licence: str = "none",
) -> dict:
    number = next(_location_numbers)
    return {
        "name": name,
        "cqc_location_id": f"1-{number}",
        "local_est_id": str(number % 1_000_000).zfill(6),
        "cqc_rating": rating,
        "cqc_rating_date": rated_on,
        "registered_manager_in_post": manager,
        "sponsor_licence_status": licence,
    }


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-").replace("--", "-")


def _provider(name: str, branches: list[dict], contracts: list[dict]) -> dict:
    return {"name": name, "slug": _slug(name), "branches": branches, "contracts": contracts}


def _contract(
    council: str, kind: str, rate: str, framework: str | None = None, area: str | None = None
) -> dict:
    return {
        "council": council,
        "framework": framework,
        "area": area,
        "contract_type": kind,
        "hourly_rate": Decimal(rate),
    }


GOOD, RI, INADEQUATE, UNRATED, OUTSTANDING = (
    "good",
    "requires_improvement",
    "inadequate",
    "not_yet_rated",
    "outstanding",
)

# Medway homecare framework: 6 good, 6 requires improvement, 1 not yet rated.
_MEDWAY_HOMECARE_PROVIDERS = [
    ("Riverside Home Support", GOOD, {}),
    ("Castle View Care", GOOD, {}),
    ("Chatham Dockside Carers", GOOD, {"licence": "active"}),
    ("Lordswood Community Care", GOOD, {}),
    ("Hempstead Home Helpers", GOOD, {"licence": "active"}),
    ("Strood Valley Care Services", GOOD, {}),
    ("Rainham Companions", RI, {"licence": "suspended"}),
    ("Gillingham Care at Home", RI, {"manager": False}),
    ("Wigmore Homecare", RI, {}),
    ("Hoo Peninsula Care", RI, {"licence": "active"}),
    ("Medway Valley Support", RI, {}),
    ("Luton Arches Care", RI, {}),
    ("New Horizons Domiciliary Care", UNRATED, {}),
]
_MEDWAY_RATES = ["19.85", "20.10", "20.40", "19.95", "20.25", "20.00", "19.80"]

PROVIDERS: list[dict] = []
for index, (name, rating, extra) in enumerate(_MEDWAY_HOMECARE_PROVIDERS):
    rated_on = None if rating == UNRATED else date(2023, 1 + index % 12, 3 + index)
    contracts = [
        _contract("medway", "framework", _MEDWAY_RATES[index % len(_MEDWAY_RATES)], MEDWAY_HOMECARE)
    ]
    if name == "Riverside Home Support":  # the one provider working for two councils
        contracts.append(_contract("waltham-forest", "spot", "18.75"))
    PROVIDERS.append(
        _provider(name, [_branch(f"{name} - Medway", rating, rated_on, **extra)], contracts)
    )

# The Riverside demo provider runs two branches, so uploads can show LOCALESTID mapping:
# its Medway contract covers the Medway branch, its Waltham Forest one the Walthamstow one.
PROVIDERS[0]["branches"].append(
    _branch("Riverside Home Support - Walthamstow", GOOD, date(2024, 2, 14))
)
PROVIDERS[0]["contracts"][0]["branches"] = ["Riverside Home Support - Medway"]
PROVIDERS[0]["contracts"][1]["branches"] = ["Riverside Home Support - Walthamstow"]

PROVIDERS += [
    _provider(
        "Harbourside Extra Care",
        [_branch("Harbourside Extra Care - Medway", GOOD, date(2023, 9, 12))],
        [_contract("medway", "framework", "21.40", MEDWAY_EXTRA_CARE)],
    ),
    _provider(
        "Kingsway Housing with Care",
        [_branch("Kingsway Housing with Care - Medway", RI, date(2024, 1, 22))],
        [_contract("medway", "framework", "21.10", MEDWAY_EXTRA_CARE)],
    ),
    # Medway spot providers (outside the framework).
    _provider(
        "Cliffe Road Care Agency",
        [_branch("Cliffe Road Care Agency", INADEQUATE, date(2024, 6, 5), manager=False)],
        [_contract("medway", "spot", "18.20")],
    ),
    _provider(
        "Twydall Home Care",
        [_branch("Twydall Home Care", UNRATED, None, licence="revoked")],
        [_contract("medway", "spot", "17.60")],
    ),
]

# Waltham Forest: 10 framework providers, 2 per lot, £17.17 to £18.20.
_WF_FRAMEWORK = [
    ("Forest Road Homecare", GOOD, "17.17", {}),
    ("Lea Bridge Care", GOOD, "17.40", {"licence": "active"}),
    ("Chingford Hatch Carers", OUTSTANDING, "18.20", {}),
    ("Leytonstone Home Support", GOOD, "17.85", {}),
    ("Higham Hill Care", RI, "17.60", {"licence": "active"}),
    ("Wood Street Companions", GOOD, "18.00", {}),
    ("Hale End Home Care", RI, "17.95", {}),
    ("Blackhorse Lane Care", GOOD, "18.10", {"licence": "suspended"}),
    ("Cann Hall Care Services", UNRATED, "17.30", {}),
    ("Markhouse Support at Home", GOOD, "17.75", {}),
]
for index, (name, rating, rate, extra) in enumerate(_WF_FRAMEWORK):
    rated_on = None if rating == UNRATED else date(2022, 1 + index, 10 + index)
    lot = f"Lot {index // 2 + 1}"
    PROVIDERS.append(
        _provider(
            name,
            [_branch(name, rating, rated_on, **extra)],
            [_contract("waltham-forest", "framework", rate, WF_HOMECARE, lot)],
        )
    )

PROVIDERS += [
    # Spot providers, rates across the market's £11.81 to £22.95 range.
    _provider(
        "Walthamstow Village Care",
        [_branch("Walthamstow Village Care", GOOD, date(2023, 3, 8))],
        [_contract("waltham-forest", "spot", "22.95")],
    ),
    _provider(
        "Highams Park Helpers",
        [_branch("Highams Park Helpers", RI, date(2023, 7, 19))],
        [_contract("waltham-forest", "spot", "16.80")],
    ),
    _provider(
        "Larkswood Care",
        [_branch("Larkswood Care", INADEQUATE, date(2024, 4, 2), licence="revoked")],
        [_contract("waltham-forest", "spot", "11.81")],
    ),
    _provider(
        "Epping Edge Homecare",
        [_branch("Epping Edge Homecare", UNRATED, None)],
        [_contract("waltham-forest", "spot", "19.50")],
    ),
    # Providers still serving packages under the old DPS, £15.38 to £16.14.
    _provider(
        "Coppermill Care",
        [_branch("Coppermill Care", GOOD, date(2021, 11, 30))],
        [_contract("waltham-forest", "dps", "15.38")],
    ),
    _provider(
        "Leyton Marsh Support",
        [_branch("Leyton Marsh Support", RI, date(2022, 5, 17), manager=False)],
        [_contract("waltham-forest", "dps", "15.90")],
    ),
    _provider(
        "St James Street Care",
        [_branch("St James Street Care", GOOD, date(2023, 10, 4))],
        [_contract("waltham-forest", "dps", "16.14")],
    ),
    # Kensington and Chelsea: one north and two south patch providers at £21.21.
    _provider(
        "Portobello Care Partnership",
        [_branch("Portobello Care Partnership", GOOD, date(2023, 2, 20))],
        [_contract("kensington-chelsea", "block", "21.21", RBKC_HOMECARE, "North patch")],
    ),
    _provider(
        "Brompton Home Care",
        [_branch("Brompton Home Care", RI, date(2023, 5, 11), licence="active")],
        [_contract("kensington-chelsea", "block", "21.21", RBKC_HOMECARE, "South patch")],
    ),
    _provider(
        "Chelsea Embankment Carers",
        [_branch("Chelsea Embankment Carers", GOOD, date(2022, 12, 6))],
        [_contract("kensington-chelsea", "block", "21.21", RBKC_HOMECARE, "South patch")],
    ),
    # ... and spot providers at £19.21.
    *[
        _provider(
            name,
            [_branch(name, rating, rated_on)],
            [_contract("kensington-chelsea", "spot", "19.21")],
        )
        for name, rating, rated_on in [
            ("Holland Park Home Support", GOOD, date(2023, 8, 1)),
            ("Earls Court Care", RI, date(2024, 3, 12)),
            ("Notting Dale Companions", GOOD, date(2022, 9, 9)),
            ("Golborne Care Services", UNRATED, None),
            ("World's End Home Care", OUTSTANDING, date(2021, 6, 15)),
        ]
    ],
]
