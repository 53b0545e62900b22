//! The demo's codebook of innovation-capability themes and the Swedish sentences that express each sub-code.

/// A top-level theme: id, Swedish label, English label, description, colour, and the interviewer's question.
pub(crate) struct Theme {
    pub id: &'static str,
    pub label_sv: &'static str,
    pub label_en: &'static str,
    pub description: &'static str,
    pub colour: &'static str,
    pub question: &'static str,
    pub subcodes: &'static [SubCode],
}

/// A sub-code and the sentences a participant might say that a coder would code with it.
pub(crate) struct SubCode {
    pub id: &'static str,
    pub label_sv: &'static str,
    pub label_en: &'static str,
    pub sentences: &'static [&'static str],
}

pub(crate) const THEMES: &[Theme] = &[
    Theme {
        id: "ledarstod",
        label_sv: "Ledningens stöd",
        label_en: "Leadership support",
        description: "How managers at all levels enable, protect and follow up development work.",
        colour: "#0072b2",
        question: "Hur upplever du att ledningen stöttar utvecklingsarbete?",
        subcodes: &[
            SubCode {
                id: "ledarstod.tillit",
                label_sv: "Tillit och mandat",
                label_en: "Trust and mandate",
                sentences: &[
                    "Min chef litar på att vi själva kan pröva nya arbetssätt utan att fråga om lov varje gång.",
                    "Vi har fått ett tydligt mandat från förvaltningsledningen att förändra hur vi arbetar.",
                    "Det känns tryggt att veta att ledningen står bakom oss om ett försök inte blir som vi tänkt.",
                    "Förvaltningschefen sa rakt ut att vi ska våga, och det har betytt mycket för gruppen.",
                ],
            },
            SubCode {
                id: "ledarstod.uppfoljning",
                label_sv: "Uppföljning av utvecklingsarbete",
                label_en: "Follow-up of development work",
                sentences: &[
                    "Ledningsgruppen följer upp våra utvecklingsprojekt varje kvartal och frågar vad vi lärt oss.",
                    "Det saknas uppföljning, så projekten rinner ut i sanden när den första entusiasmen är borta.",
                    "Vi redovisar resultaten av förbättringsarbetet i samma rapport som budgeten, och det ger tyngd.",
                    "Cheferna frågar mest efter kostnader och sällan efter vad förändringen gav för invånarna.",
                ],
            },
        ],
    },
    Theme {
        id: "organisering",
        label_sv: "Formell organisering av innovationsarbetet",
        label_en: "Formal organisation of innovation work",
        description: "Strategies, structures, roles and processes set up for innovation.",
        colour: "#e69f00",
        question: "Finns det någon särskild organisering för innovation hos er?",
        subcodes: &[
            SubCode {
                id: "organisering.strategi",
                label_sv: "Innovationsstrategi",
                label_en: "Innovation strategy",
                sentences: &[
                    "Kommunfullmäktige har antagit en innovationsstrategi, men få medarbetare känner till den.",
                    "Strategin för innovation är inskriven i verksamhetsplanen och styr vad vi prioriterar.",
                    "Vi har ingen uttalad strategi, utan det hänger på enskilda eldsjälar.",
                    "Målen för förnyelse bryts ned till varje enhet så att alla vet vad som förväntas.",
                ],
            },
            SubCode {
                id: "organisering.roller",
                label_sv: "Särskilda roller och funktioner",
                label_en: "Dedicated roles and functions",
                sentences: &[
                    "Vi har en innovationsledare på halvtid som hjälper enheterna att driva sina idéer.",
                    "Utvecklingsstrategerna sitter centralt och är svåra att nå för oss ute i verksamheten.",
                    "Det finns ett innovationsråd där representanter från alla förvaltningar träffas varje månad.",
                    "Ingen har egentligen ansvar för innovationsfrågorna, så de hamnar mellan stolarna.",
                ],
            },
        ],
    },
    Theme {
        id: "medarbetardriven",
        label_sv: "Medarbetardriven innovation",
        label_en: "Employee-driven innovation",
        description: "Employees' own initiative, participation and competence in renewing their work.",
        colour: "#009e73",
        question: "Hur delaktiga är medarbetarna i att utveckla verksamheten?",
        subcodes: &[
            SubCode {
                id: "medarbetardriven.delaktighet",
                label_sv: "Delaktighet",
                label_en: "Participation",
                sentences: &[
                    "Förslagen kommer oftast från medarbetarna på golvet, de ser först vad som inte fungerar.",
                    "På arbetsplatsträffarna har vi en stående punkt där alla kan ta upp förbättringar.",
                    "Medarbetarna får sällan vara med när förändringar planeras, de får bara besluten.",
                    "Undersköterskorna tog själva initiativ till ett nytt schema och det spreds sedan till fler enheter.",
                ],
            },
            SubCode {
                id: "medarbetardriven.kompetens",
                label_sv: "Kompetensutveckling",
                label_en: "Competence development",
                sentences: &[
                    "Alla chefer har gått en utbildning i tjänstedesign och använder metoderna med sina grupper.",
                    "Det behövs mer utbildning i förbättringsmetoder om medarbetarna ska kunna driva egna idéer.",
                    "Vi har haft en serie workshoppar om innovation som gav ett gemensamt språk.",
                    "Kompetensutvecklingen handlar mest om lagkrav, sällan om att tänka nytt.",
                ],
            },
        ],
    },
    Theme {
        id: "idehantering",
        label_sv: "Idéhantering",
        label_en: "Idea handling",
        description: "How ideas are collected, assessed, answered and taken forward.",
        colour: "#cc79a7",
        question: "Vad händer med en idé när någon kommer på något nytt?",
        subcodes: &[
            SubCode {
                id: "idehantering.idesluss",
                label_sv: "Idésluss",
                label_en: "Idea sluice",
                sentences: &[
                    "Idéerna lämnas i idéslussen i appen och bedöms av en grupp varannan vecka.",
                    "Sedan idéslussen infördes har vi fått in betydligt fler förslag än tidigare.",
                    "Det finns ingen gemensam väg för idéer, så de fastnar ofta hos närmaste chef.",
                    "Varje år delas ett pris ut till bästa medarbetarinnovation, och det uppmärksammas i hela kommunen.",
                ],
            },
            SubCode {
                id: "idehantering.aterkoppling",
                label_sv: "Återkoppling på idéer",
                label_en: "Feedback on ideas",
                sentences: &[
                    "Man får alltid besked om vad som händer med ens förslag, även när svaret är nej.",
                    "Många har slutat lämna idéer eftersom de aldrig hörde något tillbaka.",
                    "Återkopplingen kommer snabbt och med en förklaring, vilket gör att folk fortsätter bidra.",
                    "Det tar ofta flera månader innan någon svarar på en idé.",
                ],
            },
        ],
    },
    Theme {
        id: "samverkan",
        label_sv: "Samverkan över gränser",
        label_en: "Collaboration across boundaries",
        description: "Working across departments, sectors and with external actors.",
        colour: "#56b4e9",
        question: "Hur ser samarbetet ut med andra förvaltningar och aktörer?",
        subcodes: &[
            SubCode {
                id: "samverkan.forvaltningar",
                label_sv: "Mellan förvaltningar",
                label_en: "Across departments",
                sentences: &[
                    "Vi arbetar allt oftare i tvärgrupper med både socialtjänst och skola.",
                    "Förvaltningarna är som stuprör, och varje budget försvarar sitt eget område.",
                    "Ett gemensamt projekt med samhällsbyggnad visade hur mycket vi kan lära av varandra.",
                    "Det är lättare att samarbeta med grannkommunen än med förvaltningen i korridoren bredvid.",
                ],
            },
            SubCode {
                id: "samverkan.externa",
                label_sv: "Med externa aktörer",
                label_en: "With external actors",
                sentences: &[
                    "Samarbetet med universitetet har gett oss nya sätt att se på våra egna problem.",
                    "Vi testar nya lösningar tillsammans med lokala företag i ett innovationslabb.",
                    "Civilsamhällets organisationer bjuds sällan in förrän besluten redan är fattade.",
                    "Regionen och kommunen har startat en gemensam utvecklingsplattform för välfärdsteknik.",
                ],
            },
        ],
    },
    Theme {
        id: "kultur",
        label_sv: "Kultur",
        label_en: "Culture",
        description: "Attitudes, norms and climate for trying new things.",
        colour: "#d55e00",
        question: "Hur skulle du beskriva klimatet för att pröva nya saker?",
        subcodes: &[
            SubCode {
                id: "kultur.risk",
                label_sv: "Syn på risk och misslyckanden",
                label_en: "Attitudes to risk and failure",
                sentences: &[
                    "Här är det tillåtet att misslyckas så länge man delar med sig av vad man lärde sig.",
                    "Rädslan för att göra fel i en myndighetsutövning gör att vi hellre gör som vi alltid gjort.",
                    "När ett försök inte fungerade pratade vi öppet om det på ledningsgruppen, utan att leta syndabockar.",
                    "Granskningen från media gör att många tvekar att pröva något som kan uppfattas som slöseri.",
                ],
            },
            SubCode {
                id: "kultur.oppenhet",
                label_sv: "Öppenhet för nya idéer",
                label_en: "Openness to new ideas",
                sentences: &[
                    "Det finns en nyfikenhet i gruppen, folk vill gärna testa nya verktyg.",
                    "Nya idéer möts ofta med att det där har vi redan provat.",
                    "Vi besöker andra kommuner för att se hur de gör, och tar med oss idéer hem.",
                    "Kulturen har förändrats de senaste åren, nu frågar man varför innan man säger nej.",
                ],
            },
        ],
    },
    Theme {
        id: "tid_resurser",
        label_sv: "Tid och resurser",
        label_en: "Time and resources",
        description: "Time, money and staff set aside for development.",
        colour: "#f0e442",
        question: "Har ni tid och resurser för att utveckla verksamheten?",
        subcodes: &[
            SubCode {
                id: "tid_resurser.tid",
                label_sv: "Tid för utveckling",
                label_en: "Time for development",
                sentences: &[
                    "Vardagen äter upp all tid, det finns inget utrymme att tänka nytt.",
                    "Vi har avsatt en eftermiddag i månaden enbart för utvecklingsarbete.",
                    "Personalomsättningen gör att vi hela tiden lär upp nya i stället för att utveckla.",
                    "När vi fick frigöra tid för ett förbättringsprojekt blev resultatet mycket bättre.",
                ],
            },
            SubCode {
                id: "tid_resurser.finansiering",
                label_sv: "Finansiering",
                label_en: "Funding",
                sentences: &[
                    "Det finns en innovationsfond som enheterna kan söka pengar ur för att testa idéer.",
                    "Utvecklingen finansieras nästan bara med externa projektmedel som tar slut efter två år.",
                    "Budgeten är så snäv att varje ny idé måste ersätta något annat.",
                    "Kommunen har avsatt en procent av driftbudgeten till utveckling, och det märks.",
                ],
            },
        ],
    },
    Theme {
        id: "spridning",
        label_sv: "Spridning och skalning",
        label_en: "Spreading and scaling",
        description: "How new solutions spread between units and become ordinary practice.",
        colour: "#999999",
        question: "Hur sprids det som fungerar till resten av organisationen?",
        subcodes: &[
            SubCode {
                id: "spridning.mellan_enheter",
                label_sv: "Mellan enheter",
                label_en: "Between units",
                sentences: &[
                    "Goda exempel sprids mest genom att chefer berättar för varandra i ledningsgruppen.",
                    "Det som fungerar på en enhet stannar ofta där, ingen tar ansvar för att sprida det.",
                    "Vi har ett lärande nätverk där enheterna visar varandra vad de har prövat.",
                    "Ett arbetssätt från hemtjänsten i norra distriktet används nu i hela kommunen.",
                ],
            },
            SubCode {
                id: "spridning.implementering",
                label_sv: "Implementering i ordinarie verksamhet",
                label_en: "Implementation in regular operations",
                sentences: &[
                    "Projekten avslutas ofta innan resultaten hunnit bli en del av vardagen.",
                    "När försöket var klart beslutade nämnden att införa arbetssättet permanent.",
                    "Det saknas en plan för hur nya lösningar ska förvaltas när projektpengarna är slut.",
                    "Vi skrev in det nya arbetssättet i rutinerna så att det inte hänger på enskilda personer.",
                ],
            },
        ],
    },
];

/// Sentences that carry no theme: coders leave them uncoded.
pub(crate) const FILLER: &[&str] = &[
    "Ja, det är en bra fråga.",
    "Jag har arbetat här i ungefär sex år nu.",
    "Det beror lite på vilken enhet man pratar om.",
    "Vi är en ganska stor arbetsgrupp med många deltidsanställda.",
    "Förra veckan hade vi till exempel en lång diskussion om schemat.",
    "Jag vet inte riktigt hur det ser ut på andra förvaltningar.",
    "Det har varit ett intensivt år med många omorganisationer.",
    "Om jag ska vara ärlig har jag inte tänkt så mycket på det.",
    "Vi ses oftast på måndagar när veckan planeras.",
    "Det här är något vi pratar om i fikarummet ibland.",
];

/// Field-note openings for observations, by setting.
pub(crate) const SETTINGS: &[(&str, &str)] = &[
    (
        "ledningsgruppsmöte",
        "Ledningsgruppen samlas i kommunhusets sammanträdesrum. Mötet leds av förvaltningschefen.",
    ),
    (
        "arbetsplatsträff",
        "Arbetsplatsträffen hålls i personalrummet. Enhetschefen går igenom dagordningen.",
    ),
    (
        "innovationsråd",
        "Innovationsrådet träffas för att bedöma inkomna idéer och följa upp pågående försök.",
    ),
];

/// Observer remarks between quoted talk in field notes.
pub(crate) const OBSERVER_REMARKS: &[&str] = &[
    "Flera deltagare nickar instämmande.",
    "Diskussionen blir livlig och flera talar samtidigt.",
    "Det blir tyst en stund innan nästa person tar ordet.",
    "Mötesledaren antecknar på whiteboardtavlan.",
    "En deltagare tittar på klockan och föreslår att man går vidare.",
];
