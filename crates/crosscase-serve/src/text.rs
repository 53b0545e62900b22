//! Everything a workshop participant reads on their phone, in Swedish and English.

use crosscase_model::Language;

pub(crate) struct Strings {
    pub title: &'static str,
    pub intro: &'static str,
    /// `{k}`, `{n}`.
    pub finding: &'static str,
    pub question_rating: &'static str,
    pub rating_low: &'static str,
    pub rating_high: &'static str,
    pub no_rating: &'static str,
    pub question_comment: &'static str,
    pub send: &'static str,
    pub saved: &'static str,
    pub other_language: &'static str,
    pub not_found_title: &'static str,
    pub not_found: &'static str,
    pub refused_title: &'static str,
    pub refused_form: &'static str,
    pub refused_empty: &'static str,
    pub refused_too_long: &'static str,
    pub too_many: &'static str,
    pub too_large: &'static str,
    pub failed: &'static str,
}

const SV: Strings = Strings {
    title: "Vad säger ni om resultaten?",
    intro: "Svara på det du vill, i den ordning du vill. Du är anonym: vi sparar bara det du väljer och skriver. Skriv inga namn.",
    finding: "Resultat {k} av {n}",
    question_rating: "Hur väl beskriver det här er kommun?",
    rating_low: "inte alls",
    rating_high: "mycket väl",
    no_rating: "vet inte",
    question_comment: "Vad saknas eller är fel?",
    send: "Skicka",
    saved: "Tack! Ditt svar är sparat. Du kan ändra det genom att skicka igen.",
    other_language: "In English",
    not_found_title: "Koden fungerar inte",
    not_found: "Den här koden finns inte eller är inte längre giltig: workshoppen är avslutad. Kontrollera koden på bilden.",
    refused_title: "Svaret kunde inte tas emot",
    refused_form: "Formuläret har gått ut. Gå tillbaka, ladda om sidan och skicka igen.",
    refused_empty: "Välj en siffra eller skriv något innan du skickar.",
    refused_too_long: "Svaret är för långt: skriv högst 2 000 tecken.",
    too_many: "För många svar på kort tid. Vänta en stund och försök igen.",
    too_large: "Svaret är för stort. Skriv högst 2 000 tecken.",
    failed: "Svaret kunde inte sparas. Försök igen om en stund.",
};

const EN: Strings = Strings {
    title: "What do you make of the findings?",
    intro: "Answer what you like, in any order. You are anonymous: we keep only what you choose and type. Please write no names.",
    finding: "Finding {k} of {n}",
    question_rating: "How well does this describe your municipality?",
    rating_low: "not at all",
    rating_high: "very well",
    no_rating: "don't know",
    question_comment: "What is missing or wrong?",
    send: "Send",
    saved: "Thank you! Your answer is saved. You can change it by sending again.",
    other_language: "På svenska",
    not_found_title: "The code does not work",
    not_found: "This code does not exist or is no longer valid: the workshop has ended. Check the code on the slide.",
    refused_title: "Your answer could not be taken",
    refused_form: "The form has expired. Go back, reload the page and send again.",
    refused_empty: "Choose a number or write something before you send.",
    refused_too_long: "The answer is too long: write at most 2,000 characters.",
    too_many: "Too many answers in a short time. Wait a moment and try again.",
    too_large: "The answer is too large. Write at most 2,000 characters.",
    failed: "Your answer could not be saved. Please try again in a moment.",
};

pub(crate) fn strings(language: Language) -> &'static Strings {
    match language {
        Language::Sv => &SV,
        Language::En => &EN,
    }
}
