use super::*;

fn roster() -> Roster {
    let mut anna = RosterPerson::new("Anna Larsson");
    anna.first_name_identifies = true;
    let mut asa = RosterPerson::new("Åsa Öberg");
    asa.surname_identifies = true;
    let mut ak = RosterPerson::new("Anna-Karin Björk-Svensson");
    ak.first_name_identifies = true;
    let stig = RosterPerson::new("Stig Ek");
    Roster {
        people: vec![anna, asa, ak, stig],
    }
}

/// What the screen finds in `text`, as the found text and its kind.
fn check(text: &str, expected: &[(PersonalData, &str)]) {
    let screen = Screen::new(roster());
    let got: Vec<(PersonalData, &str)> = screen
        .find(text)
        .iter()
        .map(|f| (f.kind, &text[f.start..f.end]))
        .collect();
    assert_eq!(got, expected, "{text:?}");
}

use PersonalData::{Email, IdentityNumber as Id, Phone, RosterName as Name};

#[test]
fn identity_numbers_with_every_separator_and_a_valid_check_digit() {
    // 811218-9876 is the Swedish Tax Agency's example of a valid personnummer; 811278-9873 a samordningsnummer.
    for form in [
        "811218-9876",
        "811218+9876",
        "811218 9876",
        "8112189876",
        "19811218-9876",
        "19811218 9876",
        "198112189876",
        "811278-9873",
    ] {
        check(&format!("nr {form}."), &[(Id, form)]);
    }
    for near in [
        "811218-9875",
        "811318-9876",
        "12811218-98765",
        "2019-03-12",
        "Dnr 2019-1234",
        "19811231-9876",
    ] {
        check(near, &[]);
    }
}

#[test]
fn phones_in_every_swedish_notation() {
    for form in [
        "070-123 45 67",
        "0701234567",
        "070 123 45 67",
        "070–123 45 67",
        "+46 70 123 45 67",
        "+46 (0)70 123 45 67",
        "+46(0)70-123 45 67",
        "0046 70 123 45 67",
        "+46701234567",
        "08-123 456 78",
        "013-20 60 00",
        "(013) 20 60 00",
        "0470-123 45",
    ] {
        check(&format!("Ring {form} i dag"), &[(Phone, form)]);
    }
    for near in [
        "2018-03-14, 0583, P0583-01, 0580-I01, 0,6",
        "kl. 08.30–09.15",
        "viewBox=\"0 0 1920 1080\"",
        "12-03-2019",
        "581 83 Linköping",
        "0.0712345678",
    ] {
        check(near, &[]);
    }
}

#[test]
fn emails_and_their_obfuscations() {
    for form in [
        "anna.larsson@motala.se",
        "namn (at) kommun.se",
        "namn[at]kommun.se",
        "anna.larsson at motala.se",
        "namn(at)kommun(dot)se",
    ] {
        check(&format!("Skriv till {form}."), &[(Email, form)]);
    }
    check("we looked at motala.se", &[]);
    check("@media print", &[]);
}

#[test]
fn roster_names_with_inflections() {
    check("Som Anna Larsson sa", &[(Name, "Anna Larsson")]);
    check("Anna Larssons idé", &[(Name, "Anna Larssons")]);
    check("Anna  Larsson", &[(Name, "Anna  Larsson")]);
    check("Anna\nLarsson", &[(Name, "Anna\nLarsson")]);
    check("A\u{30a}sa O\u{308}berg", &[(Name, "A\u{30a}sa O\u{308}berg")]);
    check("Björk-Svenssons förslag", &[]);
    check(
        "Anna-Karin Björk-Svenssons förslag",
        &[(Name, "Anna-Karin Björk-Svenssons")],
    );
    check("Larsson, Anna", &[(Name, "Larsson, Anna")]);
    // Alone, where the roster marks the name as identifying.
    check("Annas förslag", &[(Name, "Annas")]);
    check("Öberg höll med", &[(Name, "Öberg")]);
    check("Anna-Karin höll med", &[(Name, "Anna-Karin")]);
    // Not marked, or not a word of the roster.
    check("en stig genom skogen", &[]);
    check("Åsa höll med", &[]);
    check("en björk vid vägen", &[]);
    check("Annalind och Larssonska", &[]);
}

#[test]
fn masks_in_the_original_text() {
    let screen = Screen::new(roster());
    assert_eq!(
        screen.mask("Anna Larssons nr är 811218-9876, ring 0701234567", Language::Sv),
        "[namn] nr är [personnummer], ring [telefon]"
    );
}
