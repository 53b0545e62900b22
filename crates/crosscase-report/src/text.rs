//! Everything a workshop participant reads, in Swedish and English.

use crosscase_model::Language;

pub(crate) struct Strings {
    pub feedback_title: &'static str,
    pub heatmap_title: &'static str,
    pub heatmap_subtitle: &'static str,
    pub bars_title: &'static str,
    pub bars_subtitle: &'static str,
    pub others: &'static str,
    pub suppressed: &'static str,
    pub missing: &'static str,
    pub how_to_read_title: &'static str,
    pub how_to_read: &'static [&'static str],
    pub table_title: &'static str,
    pub theme: &'static str,
    pub overview_title: &'static str,
    pub overview_subtitle: &'static str,
    pub svg_link: &'static str,
    pub quotes_title: &'static str,
    pub quotes_intro: &'static str,
    pub no_quotes: &'static str,
}

const SV: Strings = Strings {
    feedback_title: "Återkoppling till",
    heatmap_title: "Teman i intervjuer och observationer",
    heatmap_subtitle: "Andel källor där temat förekommer, per kommun. Er kommun är inramad; de andra visas med bokstäver.",
    bars_title: "Er kommun jämfört med de andra",
    bars_subtitle: "Andel källor där temat förekommer",
    others: "De andra kommunerna",
    suppressed: "skyddad: för få personer",
    missing: "inga data",
    how_to_read_title: "Så läser du sidan",
    how_to_read: &[
        "Siffrorna visar hur stor andel av intervjuerna, observationerna och workshopanteckningarna där ett tema togs upp.",
        "En hög andel betyder att temat kom upp ofta, inte att det fungerar bra eller dåligt: läs citaten och diskutera vad det betyder hos er.",
        "De andra kommunerna visas utan namn, som bokstäver.",
        "Rutor med en punkt är skyddade: där står färre personer bakom siffran än projektets gräns, så att ingen ska kunna kännas igen.",
        "Skillnader på några procentenheter kan bero på slumpen; små skillnader ska tolkas försiktigt.",
    ],
    table_title: "Teman i siffror",
    theme: "Tema",
    overview_title: "Teman per kommun",
    overview_subtitle: "Andel källor där temat förekommer (alla kommuner i projektet)",
    svg_link: "Diagrammen för utskrift (SVG)",
    quotes_title: "Röster från intervjuer och observationer",
    quotes_intro: "Citaten visar hur teman kom till uttryck. De anges med roll och våg, aldrig med vem som sa dem.",
    no_quotes: "Inga citat visas: för få personer deltog för att ingen ska kunna kännas igen.",
};

const EN: Strings = Strings {
    feedback_title: "Feedback for",
    heatmap_title: "Themes in interviews and observations",
    heatmap_subtitle: "Share of sources in which the theme occurs, by municipality. Yours is framed; the others are shown as letters.",
    bars_title: "Your municipality beside the others",
    bars_subtitle: "Share of sources in which the theme occurs",
    others: "The other municipalities",
    suppressed: "suppressed: too few people",
    missing: "no data",
    how_to_read_title: "How to read this page",
    how_to_read: &[
        "The figures show the share of interviews, observations and workshop notes in which a theme came up.",
        "A high share means the theme came up often, not that it works well or badly: read the quotes and discuss what it means for you.",
        "The other municipalities are not named; they appear as letters.",
        "Cells with a dot are suppressed: fewer people stand behind the figure than the project's threshold, so that nobody can be recognised.",
        "Differences of a few percentage points may be chance; read small differences with care.",
    ],
    table_title: "Themes in figures",
    theme: "Theme",
    overview_title: "Themes by municipality",
    overview_subtitle: "Share of sources in which the theme occurs (all municipalities of the project)",
    svg_link: "Charts for print (SVG)",
    quotes_title: "Voices from interviews and observations",
    quotes_intro: "The quotes show how themes were put into words. They give role and wave, never who said them.",
    no_quotes: "No quotes are shown: too few people took part for nobody to be recognisable.",
};

pub(crate) fn strings(language: Language) -> &'static Strings {
    match language {
        Language::Sv => &SV,
        Language::En => &EN,
    }
}
