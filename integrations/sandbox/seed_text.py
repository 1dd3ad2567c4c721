"""Word lists for the seed data, awkward cases included on purpose.

Names with accents, CJK and emoji, HTML-looking text the hub must escape,
and very long text: real data has all of them.
"""

FIRST_NAMES = (
    "Emma", "Liam", "Olivia", "Noah", "Sophie", "Lucas", "Mia", "Daan", "Julia", "Sem",
    "Anna", "Finn", "Zoë", "José", "Björn", "Chloé", "Łukasz", "François", "Søren", "Inès",
    "Mateo", "Aïcha", "Priya", "Omar", "Hana", "Kwame", "Ngozi", "Siobhán", "Mårten", "Renée",
)  # fmt: skip
LAST_NAMES = (
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Müller", "García", "Núñez",
    "O'Brien", "Kowalski", "Ødegaard", "Dubois", "Rossi", "Yılmaz"  # noqa: RUF001 (Turkish dotless i, on purpose), "Nakamura", "Okafor",
    "Silva", "Andersson", "Novák", "Nguyễn", "Fernández", "Schröder", "Łęcka", "Van der Berg",
)  # fmt: skip
# Whole names that break naive code: scripts, emoji, markup, apostrophes.
AWKWARD_NAMES = (
    "王伟", "佐藤 花子", "김민준", "Ελένη Παπαδοπούλου", "Дмитрий Иванов", "محمد علي",
    "Alex 🚀 Chen", "Zoë 😀 Martín", "<script>alert(1)</script>", "<b>bold</b> Baker",
    "Renée O'Connor-Smith", "Ana María de la Cruz y Villanueva-Echeverría",
)  # fmt: skip

COMPANY_WORDS = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell",
    "Cyberdyne", "Soylent", "Nimbus", "Quantum", "Blue Fjord", "Northwind", "Contoso",
    "Fabrikam", "Lumen", "Polder", "Tulip",
)  # fmt: skip
COMPANY_SUFFIXES = (
    "Labs",
    "Ventures",
    "Capital",
    "Systems",
    "Health",
    "Group",
    "AI",
    "B.V.",
    "GmbH",
)
AWKWARD_COMPANIES = (
    "Café Ñandú", "株式会社サンプル", "Société Générale d'Essai", "Acme 🚀 Rockets",
    "<b>Bold</b> Ventures", "<script>alert(1)</script> Inc", "Zürich Ärzte AG",
)  # fmt: skip

OFFER_TITLES = (
    "Senior Backend Engineer", "Frontend Developer", "Product Designer", "Data Scientist",
    "Engineering Manager", "Customer Success Lead", "Recruiter", "DevOps Engineer",
    "Marketing Specialist", "Sales Executive", "QA Engineer", "Technical Writer",
    "ソフトウェアエンジニア", "Développeur·se Python", "Head of <People>",
)  # fmt: skip
DEPARTMENTS = ("Engineering", "Design", "Data", "Customer Success", "People", "Sales", "Marketing")
LOCATIONS = (
    ("Amsterdam", "NL"), ("Berlin", "DE"), ("London", "GB"), ("Lisbon", "PT"), ("Remote", None),
    ("東京", "JP"), ("São Paulo", "BR"), ("Kraków", "PL"),
)  # fmt: skip
PIPELINE = (
    ("Applied", "apply"),
    ("Phone screen", "phone_screen"),
    ("Interview", "interview"),
    ("Evaluation", "evaluation"),
    ("Offer", "offer"),
    ("Hired", "hire"),
)
REFERRERS = ("Indeed", "LinkedIn", "Referral", "Glassdoor")
TAGS = ("python", "remote", "senior", "junior", "relocation", "visa", "top-talent", "🔥 hot")

COVER_LETTERS = (
    "I would love to join your team.",
    "Dear hiring manager,\n\nI am excited to apply. <b>bold</b> claims aside, I ship.",
    '<script>alert(1)</script> — please escape me. Also "quotes" & ampersands.',
    "Bonjour ! Je suis très motivée. 🙂",
)
LONG_PARAGRAPH = (
    "I have spent many years building systems that matter, from small scripts to platforms "
    "serving millions of people, and I believe the details are where the work is. "
)

PROJECT_ADJECTIVES = (
    "Apollo", "Borealis", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Helix", "Indigo",
    "Juniper", "Kestrel", "Lotus", "Meridian", "Nova", "Orion", "Pioneer",
)  # fmt: skip
PROJECT_NOUNS = (
    "Migration", "Launch", "Redesign", "Rollout", "Audit", "Onboarding", "Integration",
    "Platform", "Research", "Campaign",
)  # fmt: skip
PROJECT_DESCRIPTIONS = (
    "",
    "Quarterly initiative.",
    "Move everything to the new platform. <b>bold</b> plan, <i>careful</i> steps.",
    "<script>alert(1)</script>",
    "多言語対応のプロジェクト 🚀",
)

# Asana teams of the sandbox organization: (name, description).
TEAMS = (
    ("Engineering", "Builds and runs the product."),
    ("Marketing", "Campaigns, launches and the website."),
    ("Operations", "Finance, hiring and the office."),
)
