"""Raw material for names: Korean and English people, companies, titles and reply texts.

Korean entries carry their romanisation so that email addresses and domains stay ASCII.
"""

from __future__ import annotations

KO_FAMILY: tuple[tuple[str, str, float], ...] = (
    ("김", "kim", 0.21),
    ("이", "lee", 0.15),
    ("박", "park", 0.085),
    ("최", "choi", 0.047),
    ("정", "jung", 0.044),
    ("강", "kang", 0.023),
    ("조", "cho", 0.021),
    ("윤", "yoon", 0.021),
    ("장", "jang", 0.02),
    ("임", "lim", 0.017),
)
KO_GIVEN: tuple[tuple[str, str], ...] = (
    ("민", "min"), ("준", "jun"), ("서", "seo"), ("연", "yeon"), ("지", "ji"),
    ("현", "hyun"), ("우", "woo"), ("영", "young"), ("수", "soo"), ("진", "jin"),
    ("하", "ha"), ("은", "eun"), ("도", "do"), ("윤", "yoon"), ("예", "ye"),
    ("호", "ho"), ("성", "sung"), ("재", "jae"), ("혜", "hye"), ("동", "dong"),
    ("유", "yu"), ("시", "si"), ("아", "a"), ("주", "ju"), ("원", "won"),
)  # fmt: skip
EN_FIRST: tuple[str, ...] = (
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Susan", "Richard", "Jessica", "Thomas", "Sarah", "Daniel", "Karen",
    "Matthew", "Emma", "Anthony", "Olivia", "Mark", "Sophie", "Paul", "Laura", "Andrew", "Anna",
    "Lukas", "Hannah", "Felix", "Lena", "Oliver", "Charlotte", "Kenji", "Yuki", "Wei", "Mei",
    "Arjun", "Priya",
)  # fmt: skip
EN_LAST: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
    "Anderson", "Thomas", "Moore", "Martin", "Jackson", "White", "Harris", "Clark", "Lewis",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
    "Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Evans", "Hughes", "Tanaka", "Sato",
    "Suzuki", "Tan", "Lim",
)  # fmt: skip

KO_COMPANY_SYLLABLES: tuple[tuple[str, str], ...] = (
    ("한", "han"), ("빛", "bit"), ("누", "nu"), ("리", "ri"), ("다", "da"), ("온", "on"),
    ("새", "sae"), ("별", "byeol"), ("미", "mi"), ("래", "rae"), ("가", "ga"), ("람", "ram"),
    ("하", "ha"), ("늘", "neul"), ("솔", "sol"), ("바", "ba"), ("로", "ro"), ("세", "se"),
    ("움", "um"), ("나", "na"), ("무", "mu"), ("초", "cho"), ("아", "a"), ("이", "i"),
    ("진", "jin"), ("우", "u"), ("성", "seong"), ("태", "tae"), ("대", "dae"), ("명", "myeong"),
)  # fmt: skip
KO_COMPANY_SUFFIX: tuple[tuple[str, str], ...] = (
    ("테크", "tech"), ("솔루션", "solution"), ("소프트", "soft"), ("시스템즈", "systems"),
    ("랩스", "labs"), ("네트웍스", "networks"), ("데이터", "data"), ("", ""),
)  # fmt: skip
KO_LEGAL_FORMS: tuple[str, ...] = ("주식회사 {}", "(주){}", "{}", "{} 주식회사")

EN_COMPANY_FIRST: tuple[str, ...] = (
    "Blue", "North", "Bright", "Summit", "Apex", "Nova", "Iron", "Silver", "Quantum", "Cedar",
    "Harbor", "Vertex", "Pioneer", "Atlas", "Beacon", "Crescent", "Evergreen", "Falcon",
    "Granite", "Horizon", "Lumen", "Meridian", "Orbit", "Pinnacle", "Redwood", "Sterling",
    "Titan", "Union", "Vista", "Willow", "Cobalt", "Keystone",
)  # fmt: skip
EN_COMPANY_SECOND: dict[str, tuple[str, ...]] = {
    "software": ("Software", "Labs", "Cloud", "Data"),
    "it_services": ("Systems", "Networks", "Digital", "Consulting"),
    "manufacturing": ("Industries", "Manufacturing", "Works", "Robotics"),
    "financial_services": ("Capital", "Financial", "Partners", "Bank"),
    "healthcare": ("Health", "Medical", "Care"),
    "logistics": ("Logistics", "Freight", "Shipping"),
    "retail": ("Retail", "Stores", "Brands"),
    "ecommerce": ("Commerce", "Shop", "Market"),
    "media": ("Media", "Studios", "Publishing"),
    "education": ("Learning", "Academy", "Education"),
}
EN_COMPANY_GENERIC: tuple[str, ...] = ("Group", "Partners", "Dynamics", "Solutions", "Co")
LEGAL_SUFFIX: dict[str, str] = {
    "US": "Inc.", "GB": "Ltd", "DE": "GmbH", "JP": "K.K.", "SG": "Pte. Ltd.",
}  # fmt: skip

DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    # code, English name, Korean team, C-level title
    ("engineering", "Engineering", "개발팀", "CTO"),
    ("it", "IT", "IT팀", "CIO"),
    ("marketing", "Marketing", "마케팅팀", "CMO"),
    ("sales", "Sales", "영업팀", "CRO"),
    ("operations", "Operations", "운영팀", "COO"),
    ("finance", "Finance", "재무팀", "CFO"),
)
EN_TITLES: dict[str, tuple[str, ...]] = {
    "c_level": ("{clevel}", "CEO", "{clevel}"),
    "vp": ("VP of {dept}", "SVP {dept}"),
    "director": ("Director of {dept}", "Head of {dept}"),
    "manager": ("{dept} Manager", "Senior {dept} Manager"),
    "staff": ("{dept} Specialist", "{dept} Analyst", "{dept} Associate"),
}
KO_TITLES: dict[str, tuple[str, ...]] = {
    "c_level": ("대표이사", "{clevel}", "부사장"),
    "vp": ("이사", "상무", "전무"),
    "director": ("{team} 본부장", "{team} 실장", "{team} 부장"),
    "manager": ("{team} 팀장", "{team} 매니저", "{team} 과장"),
    "staff": ("{team} 사원", "{team} 대리", "{team} 주임"),
}

REPLIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("en", "positive"): (
        "Sounds interesting - can we talk next week?",
        "Please send me the pricing.",
        "Yes, let's set up a call.",
        "Could you share a case study for our industry?",
    ),
    ("en", "neutral"): (
        "Thanks, I'll take a look.",
        "Forwarding this to my colleague.",
        "Not right now, maybe next quarter.",
    ),
    ("en", "negative"): ("Please remove me from your list.", "Not interested, thanks."),
    ("ko", "positive"): (
        "다음 주에 미팅 가능할까요?",
        "가격 정보를 보내주세요.",
        "네, 통화 일정 잡아주세요.",
        "저희 업종 사례가 있으면 공유 부탁드립니다.",
    ),
    ("ko", "neutral"): (
        "감사합니다. 검토해 보겠습니다.",
        "담당자에게 전달하겠습니다.",
        "지금은 어렵고 다음 분기에 다시 연락 주세요.",
    ),
    ("ko", "negative"): ("수신을 원하지 않습니다.", "관심 없습니다."),
}
