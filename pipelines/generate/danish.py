"""Danish vocabulary for the synthetic municipality: names, units, jobs, survey texts.

Every string must be encodable in Windows-1252 (some landing files are written in it)."""
from __future__ import annotations

MUNICIPALITIES = {
    "0101": ("København", "kk.dk"),
    "0751": ("Aarhus", "aarhus.dk"),
    "0461": ("Odense", "odense.dk"),
    "0851": ("Aalborg", "aalborg.dk"),
    "0147": ("Frederiksberg", "frederiksberg.dk"),
    "0561": ("Esbjerg", "esbjerg.dk"),
}


def municipality_name_and_domain(kommunekode: str) -> tuple[str, str]:
    return MUNICIPALITIES.get(kommunekode, (f"Kommune {kommunekode}", f"kommune{kommunekode}.dk"))


FEMALE_FIRST = [
    "Anne", "Mette", "Kirsten", "Hanne", "Lene", "Susanne", "Camilla", "Louise", "Maria", "Line",
    "Birgitte", "Søs", "Gitte", "Tove", "Åse", "Bodil", "Ida", "Freja", "Sofie", "Emma", "Karen",
    "Marianne", "Dorthe", "Pia", "Helle", "Rikke", "Signe", "Trine", "Mathilde", "Zoë", "Fatma",
    "Aisha", "Ingrid", "Solvej", "Bente", "Jytte", "Else", "Nanna", "Cecilie", "Ulla",
]
MALE_FIRST = [
    "Søren", "Jørgen", "Bjørn", "Jens", "Peter", "Lars", "Henrik", "Thomas", "Morten", "Anders",
    "Niels", "Rasmus", "Mads", "Frederik", "Mikkel", "Jesper", "Poul", "Ole", "Bent", "Torben",
    "Kåre", "Øystein", "Ebbe", "Asger", "Kasper", "Mohammad", "Ali", "José", "Jonas", "Emil",
    "Carsten", "Allan", "Brian", "Kristian", "Steen", "Gustav", "Aksel", "Villads", "Erik", "Finn",
]
MIDDLE_NAMES = ["Marie", "Louise", "Kristine", "Juul", "Bech", "Holm", "Skov", "Krogh", "Dam", "Lund"]
SURNAMES = [
    "Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen",
    "Poulsen", "Johansen", "Møller", "Mortensen", "Østergaard", "Søndergaard", "Kjær", "Bæk",
    "Lykkegård", "Ågesen", "Brøndum", "Højgaard", "Dalsgård", "Frølich", "Sæther", "Nørgaard",
    "Yilmaz", "Hussein", "Khan", "Ødegaard", "Årup", "Kirkegaard", "Bønløkke", "Iversen",
]

# Transliteration for e-mail addresses, as Danish IT departments usually do it.
EMAIL_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ë": "e", "ü": "u", "ö": "oe", "ä": "ae", " ": "."})

SEKTORS = [
    "Administration", "Ældre", "Handicap", "Skole", "Dagtilbud", "Sundhed", "Beskæftigelse",
    "Teknik og miljø", "Kultur og fritid",
]

# sektor -> (forvaltning name, share of staff, department names, team name patterns)
SEKTOR_UNITS: dict[str, tuple[str, float, list[str], list[str]]] = {
    "Administration": ("Borgmesterens Afdeling", 0.07,
        ["HR og Personale", "Økonomi og Styring", "Digitalisering og IT", "Jura og Indkøb"],
        ["Team Løn", "Team Rekruttering", "Team Arbejdsmiljø", "Sekretariatet", "Team Budget", "Team Regnskab",
         "Team Data og Analyse", "IT-support", "Team Arkitektur", "Team Udbud", "Team Jura", "Kommunikation"]),
    "Ældre": ("Ældreområdet", 0.22,
        ["Ældreområde Nord", "Ældreområde Syd", "Ældreområde Vest", "Sygepleje og Rehabilitering"],
        ["Plejecenter {place}", "Hjemmeplejen {place}", "Aftenvagten {place}", "Sygeplejen {place}"]),
    "Handicap": ("Handicap- og Psykiatriområdet", 0.10,
        ["Handicapområdet Voksne", "Handicapområdet Børn", "Socialpsykiatrien"],
        ["Botilbuddet {place}", "Bostøtte {place}", "Aktivitetshuset {place}", "Værestedet {place}"]),
    "Skole": ("Skole- og Børneforvaltning", 0.20,
        ["Skoleområde Nord", "Skoleområde Syd", "Skoleområde Øst", "PPR og Specialundervisning"],
        ["{place} Skole", "{place}skolen", "SFO {place}"]),
    "Dagtilbud": ("Dagtilbudsområdet", 0.16,
        ["Dagtilbudsdistrikt Midt", "Dagtilbudsdistrikt Nord", "Dagtilbudsdistrikt Syd"],
        ["Børnehuset {flower}", "Vuggestuen {flower}", "Dagplejen {place}"]),
    "Sundhed": ("Sundhedsforvaltningen", 0.07,
        ["Sundhedspleje", "Tandplejen", "Træning og Forebyggelse"],
        ["Sundhedsplejen {place}", "Tandklinik {place}", "Træningscenter {place}"]),
    "Beskæftigelse": ("Beskæftigelsesforvaltningen", 0.08,
        ["Jobcenter Vest", "Jobcenter Øst", "Ydelsescentret"],
        ["Team Sygedagpenge", "Team Kontanthjælp", "Team Unge", "Virksomhedsservice", "Team Integration",
         "Team Ressourceforløb", "Team Fleksjob", "Team Ledighedsydelse", "Team Førtidspension", "Team Kontrol"]),
    "Teknik og miljø": ("Teknik og Miljø", 0.05,
        ["Vej og Park", "Byggeri og Plan", "Natur og Miljø"],
        ["Team Byggesag", "Team Vejdrift", "Materielgården {place}", "Team Miljøtilsyn", "Team Lokalplan",
         "Parkdriften {place}"]),
    "Kultur og fritid": ("Kultur- og Fritidsforvaltningen", 0.05,
        ["Biblioteker og Borgerservice", "Kultur og Idræt"],
        ["Biblioteket {place}", "Borgerservice {place}", "Musikskolen", "Idrætshallen {place}", "Kulturhuset {place}"]),
}

PLACES = [
    "Solbakken", "Kildevang", "Egebjerg", "Skovgården", "Højvang", "Søhøj", "Lindegården", "Møllevang",
    "Åbyhøj", "Ørnebakken", "Bøgeskov", "Fælleden", "Tranbjerg", "Hasle", "Viby", "Risskov", "Skæring",
    "Lystrup", "Beder", "Gjellerup", "Væksthuset", "Rosenhøj", "Ellekær", "Næshøj", "Strandvejen",
    "Klostervang", "Kærgården", "Grønløkke", "Vestervang", "Østbyen", "Sønderhøj", "Nørrevang",
    "Bakkehuset", "Hørgården", "Åkjær", "Fjordbakken", "Stjernehøj", "Lærkereden", "Engdal", "Holmstrup",
    "Valdemarsgade", "Grøndalsvej", "Trøjborg", "Frydenlund", "Hjortshøj", "Mårslet", "Sabro", "Harlev",
]
FLOWERS = [
    "Mælkebøtten", "Solsikken", "Bikuben", "Myretuen", "Regnbuen", "Kløverengen", "Spiren", "Troldehøjen",
    "Humlebien", "Fuglereden", "Æblehaven", "Skovmusen", "Søstjernen", "Blåklokken", "Pilehuset",
    "Valmuen", "Nøddebo", "Græshoppen", "Mariehønen", "Rødkælken",
]

# sektor -> [(stillingsbetegnelse, personalekategori, weight)]
JOBS: dict[str, list[tuple[str, str, int]]] = {
    "Administration": [("Administrativ medarbejder", "Administrativt personale", 5), ("Konsulent", "Akademikere", 4),
                       ("Specialkonsulent", "Akademikere", 2), ("IT-medarbejder", "Teknisk personale", 2),
                       ("Lønkonsulent", "Administrativt personale", 1)],
    "Ældre": [("Social- og sundhedshjælper", "Social- og sundhedspersonale", 6),
              ("Social- og sundhedsassistent", "Social- og sundhedspersonale", 6),
              ("Sygeplejerske", "Sundhedsfagligt personale", 2), ("Ergoterapeut", "Sundhedsfagligt personale", 1),
              ("Køkkenmedarbejder", "Service og teknik", 1)],
    "Handicap": [("Pædagog", "Pædagogisk personale", 4), ("Socialpædagog", "Pædagogisk personale", 3),
                 ("Social- og sundhedsassistent", "Social- og sundhedspersonale", 2),
                 ("Pædagogmedhjælper", "Pædagogisk personale", 2)],
    "Skole": [("Lærer", "Lærere", 8), ("Pædagog", "Pædagogisk personale", 3), ("Skolesekretær", "Administrativt personale", 1),
              ("Pædagogmedhjælper", "Pædagogisk personale", 1), ("Pedel", "Service og teknik", 1)],
    "Dagtilbud": [("Pædagog", "Pædagogisk personale", 6), ("Pædagogisk assistent", "Pædagogisk personale", 2),
                  ("Pædagogmedhjælper", "Pædagogisk personale", 3), ("Dagplejer", "Pædagogisk personale", 2)],
    "Sundhed": [("Sundhedsplejerske", "Sundhedsfagligt personale", 3), ("Fysioterapeut", "Sundhedsfagligt personale", 3),
                ("Tandlæge", "Sundhedsfagligt personale", 1), ("Klinikassistent", "Sundhedsfagligt personale", 2)],
    "Beskæftigelse": [("Sagsbehandler", "Administrativt personale", 5), ("Socialrådgiver", "Socialrådgivere", 3),
                      ("Jobkonsulent", "Administrativt personale", 2), ("Virksomhedskonsulent", "Administrativt personale", 1)],
    "Teknik og miljø": [("Ingeniør", "Akademikere", 2), ("Byggesagsbehandler", "Teknisk personale", 2),
                        ("Gartner", "Service og teknik", 2), ("Vejmand", "Service og teknik", 2)],
    "Kultur og fritid": [("Bibliotekar", "Akademikere", 3), ("Borgerservicemedarbejder", "Administrativt personale", 3),
                         ("Musikskolelærer", "Lærere", 1), ("Kulturmedarbejder", "Administrativt personale", 1)],
}
LEADER_TITLES = {"Forvaltning": "Direktør", "Afdeling": "Afdelingsleder", "Enhed": "Leder"}
LEADER_CATEGORY = "Ledere"

# Weekly hours; beskaeftigelsesgrad = hours / 37.
WEEKLY_HOURS = [(37, 60), (32, 14), (30, 12), (28, 6), (25, 4), (20, 3), (18.5, 1)]

# Survey: DigComp 2.2 competences and Danish item texts. (competence_code, text, reverse_scored)
SURVEY_ITEMS = [
    ("1.1", "Jeg kan hurtigt finde de oplysninger, jeg skal bruge, i vores fagsystemer og på nettet", 0),
    ("1.2", "Jeg er ofte usikker på, om oplysninger, jeg finder på nettet, er til at stole på", 1),
    ("1.3", "Jeg gemmer og organiserer mine filer, så kolleger kan finde dem igen", 0),
    ("1.3", "Jeg ved, hvor jeg skal gemme dokumenter med personoplysninger om borgere", 0),
    ("2.1", "Jeg bruger Teams, Outlook og intranettet uden besvær i mit daglige arbejde", 0),
    ("2.2", "Jeg deler dokumenter med kolleger digitalt i stedet for at printe dem", 0),
    ("2.3", "Jeg kan hjælpe borgere med at bruge Digital Post, MitID og borger.dk", 0),
    ("2.5", "Jeg synes, det er svært at vide, hvordan man skriver ordentligt til borgere i digitale kanaler", 1),
    ("3.1", "Jeg kan lave et enkelt dokument, skema eller præsentation fra bunden", 0),
    ("3.2", "Jeg kan tilpasse en skabelon eller et regneark, så det passer til vores opgaver", 0),
    ("3.3", "Jeg ved, hvornår jeg må bruge billeder og tekster, som andre har lavet", 0),
    ("3.4", "Jeg kan automatisere en gentagen opgave, fx med en formel, en makro eller en regel i Outlook", 0),
    ("4.1", "Jeg kan genkende en phishing-mail og ved, hvad jeg skal gøre, når jeg modtager en", 0),
    ("4.2", "Jeg kender reglerne i GDPR for, hvordan vi behandler borgernes personoplysninger", 0),
    ("4.3", "Jeg oplever, at de digitale værktøjer ofte stresser mig i hverdagen", 1),
    ("4.4", "Jeg tænker over, hvordan vores brug af it påvirker miljø og klima", 0),
    ("5.1", "Jeg kan selv løse almindelige tekniske problemer, før jeg ringer til IT-support", 0),
    ("5.2", "Jeg kan pege på opgaver i min afdeling, hvor et digitalt værktøj kunne hjælpe", 0),
    ("5.3", "Jeg har lyst til at afprøve nye digitale løsninger, fx kunstig intelligens, i mit arbejde", 0),
    ("5.4", "Jeg ved ikke, hvilke digitale kompetencer jeg mangler, eller hvor jeg kan lære dem", 1),
]
ANSWER_LABELS = {1: "Helt uenig", 2: "Uenig", 3: "Hverken enig eller uenig", 4: "Enig", 5: "Helt enig"}
NO_ANSWER_LABEL = "Ved ikke"
COMMENT_QUESTION = "Har du andre kommentarer til digitaliseringen på din arbejdsplads?"
COMMENTS = [
    "Vi mangler tid til at lære de nye systemer.",
    "Godt initiativ, men kurserne ligger på skæve tidspunkter.",
    "Nexus er langsomt om morgenen.",
    "Mere hjælp til Teams, tak.",
    "Det er svært at finde rundt på intranettet.",
    "Jeg vil gerne have et kursus i Excel.",
    "Vores wifi på plejecentret er for dårligt.",
    "Kunstig intelligens lyder spændende, men hvad må vi?",
]
# Comments that leak personal data: the pipeline must drop free text.
PERSONAL_COMMENTS = [
    "Min leder {name} siger, at vi ikke har tid til kurser.",
    "Kontakt mig gerne på {email} om et kursus.",
    "Spørg {name} i IT, hun ved alt om det.",
]

COURSES = [
    ("Informationssøgning og kildekritik", "1.2", 3.0),
    ("Fil- og dokumenthåndtering i SharePoint", "1.3", 2.5),
    ("Microsoft Teams for begyndere", "2.1", 2.0),
    ("Digital Post og MitID: hjælp til borgerne", "2.3", 3.5),
    ("Godt samarbejde i digitale møder", "2.4", 1.5),
    ("Excel - grundkursus", "3.2", 6.0),
    ("Excel - formler og pivottabeller", "3.2", 7.5),
    ("Power Automate: automatisér rutineopgaver", "3.4", 12.0),
    ("It-sikkerhed og phishing", "4.1", 1.0),
    ("GDPR i praksis", "4.2", 2.0),
    ("Digital trivsel og skærmvaner", "4.3", 1.5),
    ("Selvhjælp ved it-problemer", "5.1", 2.0),
    ("Velfærdsteknologi i hverdagen", "5.2", 4.0),
    ("Kunstig intelligens i opgaveløsningen", "5.3", 3.0),
    ("Din digitale kompetenceprofil", "5.4", 1.0),
]

# Benefit register initiatives: (sektor, name, investment DKK, [(gevinsttype, description, baseline, target)])
INITIATIVES = [
    ("Beskæftigelse", "Softwarerobot til journalisering i Jobcentret", 850_000,
        [("tid_timer", "Sparede sagsbehandlertimer til journalisering", 0, 2400),
         ("oekonomi_dkk", "Reduceret forbrug af vikarer", 0, 600_000)]),
    ("Ældre", "Digitale nøglebokse i hjemmeplejen", 1_200_000,
        [("tid_timer", "Sparet tid til nøgleudlevering", 0, 3000),
         ("kvalitet_indeks", "Borgertilfredshed med hjemmeplejen (indeks 0-100)", 62, 75)]),
    ("Handicap", "Talegenkendelse til dokumentation på botilbud", 420_000,
        [("tid_timer", "Sparet dokumentationstid", 0, 1500)]),
    ("Dagtilbud", "Selvbetjening til pladsanvisning", 650_000,
        [("oekonomi_dkk", "Færre henvendelser til pladsanvisningen", 0, 450_000),
         ("kvalitet_indeks", "Forældretilfredshed med pladsanvisningen (indeks 0-100)", 55, 70)]),
    ("Teknik og miljø", "AI-assistent til byggesagsbehandling", 1_750_000,
        [("tid_timer", "Kortere sagsbehandlingstid på byggesager", 0, 4000),
         ("oekonomi_dkk", "Færre eksterne konsulenttimer", 0, 900_000)]),
    ("Skole", "Fælles digital læringsplatform", 2_300_000,
        [("kvalitet_indeks", "Lærernes vurdering af platformen (indeks 0-100)", 48, 70)]),
    ("Administration", "Automatisk fakturahåndtering", 980_000,
        [("oekonomi_dkk", "Sparede udgifter til manuel fakturabehandling", 0, 1_200_000),
         ("tid_timer", "Sparede timer i bogholderiet", 0, 1800)]),
    ("Sundhed", "Skærmbesøg i sygeplejen og sundhedsplejen", 760_000,
        [("tid_timer", "Sparet kørselstid", 0, 2200)]),
    ("Kultur og fritid", "Chatbot i Borgerservice", 390_000,
        [("oekonomi_dkk", "Færre telefonopkald til Borgerservice", 0, 350_000)]),
]
