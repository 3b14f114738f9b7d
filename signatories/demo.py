"""The demo letter: the open letter defending Esenbek Ukteshbayev, with its signatories.

Taken from the campaign's old signing page, without that site's bugs: apostrophes appear once,
unescaped, and the signatory the old site showed as "xxxxxxxx" is a hidden signature, counted but
never named. Countries are given only where the signatory's own words name one.
"""

SLUG = "ukteshbayev-open-letter"

LETTER = {
    "title": "Defend trade unionist Esenbek Ukteshbayev",
    "addressee": "To the Kazakhstan Government and Authorities",
    "body": """\
The Kazakhstan trade union and opposition leader, Esenbek Ukteshbayev, has been out of his home \
country for just over one year. This is because of constant threats to his life and liberty from \
the Kazakhstan regime, both before he left Kazakhstan and since.

His absence has severely hampered the work of building his union federation, Zhanartu, and the \
Socialist Movement Kazakhstan.

Esenbek has taken the brave decision to return to Kazakhstan in order to attend a national \
conference of his organisation and to pursue his work. This will mean being fully involved in the \
legitimate struggle of workers and poor people in Kazakhstan to exercise their basic democratic \
rights.

Esenbek has made his own declaration.

We believe that freedom of speech, freedom of assembly, freedom to organise trade unions, freedom \
to protest and freedom to strike should be guaranteed for all. These basic rights should be \
inviolable by any arm of the state - the police, special forces, intelligence services (KNB), the \
judiciary and the army.

We call on the Nazarbayev government and all of its institutions and personnel to allow Esenbek \
to return to Kazakhstan unhindered and go about his work unmolested.

We warn that if anything happens to Esenbek which endangers his life or liberty or threatens the \
safety of his family, we will hold the Kazakhstan authorities responsible.

We will organise an international outcry against the actions of the Kazakhstan regime.

We ask you to assure us that you will not in any way interfere with Esenbek Ukteshbayev’s \
democratic rights and freedoms or harass his family.""",
    "closing": "In all sincerity,",
    "goal": 1000,
}

# The letter's named initial signatories, in the letter's order: (name, organisation, country).
NOTABLES = [
    ("Andrey Hunko", "MP for DIE LINKE, Germany", "DE"),
    ("Inge Hoeger", "MP for DIE LINKE, Germany", "DE"),
    ("Jeremy Corbyn", "MP for Labour Party, Britain", "GB"),
    ("Joe Higgins", "MP for Socialist Party, Ireland", "IE"),
    ("Bob Crow", "RMT union General Secretary, UK", "GB"),
    (
        "Themis Kotsifakis",
        "General Secretary of OLME, Greek secondary school teachers' union",
        "GR",
    ),
    ("Johan Rivas", "Sindicato del Sector Público de Salud, Caracas, Venezuela", "VE"),
    ("Paul Murphy", "Member of European Parliament, Socialist Party", ""),
    (
        "Antongiulio Mannoni",
        "Secretary of CGIL (Italian Trade Union Confederation), Genoa",
        "IT",
    ),
    ("Stephen Jolly", "Councillor Socialist Party, Yarra, Australia", "AU"),
    ("Jonas Brännberg", "Councillor Rättvisepartiet Socialisterna, Luleå, Sweden", "SE"),
    ("Alfia Nakipbekova", "Cellist", ""),
    ("Sonja Grusch", "Secretary, Sozialistische Linkspartei, Austria", "AT"),
    ("Julien Daigneault", "Secretary, Alternative Socialiste, Quebec", "CA"),
    ("Peter Taaffe", "General Secretary, Socialist Party, England", "GB"),
]

HIDDEN = "hidden"

# The published signatures, newest first as the old page listed them:
# (name, organisation, country, comment), or HIDDEN for a name the signatory asked to withhold.
SIGNATURES = [
    ("Ben Robinson", "Youth Fight for Jobs", "", ""),
    (HIDDEN, "Unite the Union", "", ""),
    ("ted woodley", "Socialist Party England and Wales", "GB", ""),
    ("Finghin Kelly", "Socialist Party (Ireland) / Unite", "IE", ""),
    ("Sascha Stanicic", "National spokesperson Sozialistische Alternative (SAV)", "", ""),
    ("Anna Shadrova", "Junge GEW Berlin (youth wing of education workers' union)", "DE", ""),
    ("Steffen Strandt", "Sozialistische Alternative", "", ""),
    ("Caroline Vincent", "Socialist Party of England and Wales", "GB", ""),
    ("Cathryn Gathercole", "", "", ""),
    ("Teresa MacKay", "Unite", "", ""),
    ("ROSA David", "Gauche Révolutionnaire CWI France", "FR", ""),
    ("larisa konstantinova", "", "", ""),
    ("Brenda Sanders", "", "", ""),
    ("Wally Kennedy", "Hillingdon TUC/Unite", "", ""),
    ("Michael Cleverley", "Unison (Retired)", "", ""),
    ("Paul Callanan", "Youth Fight for Jobs and Education", "", ""),
    (
        "Youth Fight for Jobs and Education",
        "",
        "",
        "Campaign against austerity supported by 6 national trade unions",
    ),
    ("Mahe", "CWI", "", ""),
    (
        "Iain Dalton",
        "Socialist Party / USDW",
        "",
        "Vice-Chair USDAW F148 branch (personal capacity)",
    ),
    ("Hugh Caffrey", "", "", ""),
    (
        "Kristofer Lundberg",
        "Rättvisepartiet Socialisterna",
        "",
        "We stand with the Socialist Movement Kazakstan and will organise defence if nessessary.",
    ),
    ("Paul Newbery", "Alternatywa Socjalistyczna", "", ""),
    ("Katrine Williams", "PCS DWP Group Vice President", "", ""),
    ("Luc de Chivré", "CGT éducation", "", ""),
    (
        "Paul Gerrard",
        "Manchester NUT",
        "",
        "I met Esenbek in Belgium in March, he is a fine man. He must have the freedom to "
        "return to his country without fear of harrassment, which, if it occurred, would only "
        "have negative consequences for the Kazakh government.",
    ),
    ("Mark", "PCS/Unite", "", ""),
    ("Damian Winzcewski", "Socialist Alternative", "", ""),
    (
        "Dave Ireland",
        "unemployed",
        "",
        "No one should be punished for voicing political opposition.",
    ),
    (
        "Nick Chaffey",
        "Socialist Party",
        "",
        "Full support to the democratic rights of workers and trade unions in Kazakhstan and "
        "across the world.",
    ),
    ("Kacper Pluta", "CWI", "", ""),
    (
        "Johannes von Simons",
        "spokesperson of young education workers' union, junge GEW, Berlin branch, "
        "junge GEW Berlin",
        "DE",
        "",
    ),
    ("Chris Lamb", "na", "", ""),
    ("Wojciech Orowiecki", "Alternatywa Socjalistyczna", "", ""),
    ("Matt Whale", "Unison", "", "Solidarity to all fighting the Nazarbayev regime"),
    ("Stefan Berg", "CWI", "", ""),
    (
        "Jon Dale",
        "Unite Nottinghgamshire Health Service Branch",
        "",
        "We are raising the issue of human and workers' rights in the British trade union "
        "movement. We will organise demonstrations outside British companies trading with "
        "Kazakhstan if Esenbek is arrested and if political prisoners are not released.",
    ),
    ("Andrew Hammond", "Socialist Party", "", ""),
    ("ottin", "syndicaliste SNUIPP, enseignante", "", ""),
    ("Helga Schröder", "SLP, CWI Austria", "AT", "SLP, CWI Austria"),
    ("Thies Wilkening", "ver.di", "", ""),
    ("Regina Aulenbach", "", "", ""),
    (
        "mtodd, mmurphy",
        "scunthorpe clp p.c.",
        "",
        "What a scandal that former ‘Labour’ Prime Minister Tony Blair has close links with "
        "this government advising on repressing opposition. Just goes to show that he’s a Tory "
        "and shows the need for a real workers party",
    ),
    (
        "Yann Venier",
        "CGT Pôle emploi",
        "",
        "La CGT Pôle emploi en Lorraine sera particulièrement attentive à la situation "
        "d'Esenbek Ukteshbayev après son retour au Kazakhstan",
    ),
    ("Jack Huggins", "Socialist party England/Wales", "GB", ""),
    ("karas", "CGT Saverne", "", ""),
    (
        "ray darlington",
        "gloucestershire socialist party",
        "",
        "solidarity with esenbeks bringing democracy to the union and fighting back",
    ),
    ("Sharron Milsom", "Socialist Party", "", ""),
    (
        "Matt Waine",
        "Socialist Party Councillor on Fingal County Council, socialist party",
        "",
        "",
    ),
    ("Olga Kalimagambetova", "civic activist", "", ""),
]
