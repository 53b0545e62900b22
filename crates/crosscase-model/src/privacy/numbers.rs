//! Swedish personal identity and coordination numbers, and Swedish phone numbers, found in normalised text.

use super::PersonalData;

fn digit(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(u8::is_ascii_digit)
}

fn run_of_digits(b: &[u8], i: usize) -> usize {
    b[i..].iter().take_while(|c| c.is_ascii_digit()).count()
}

fn value(d: &[u8]) -> u32 {
    d.iter().fold(0, |v, c| v * 10 + u32::from(c - b'0'))
}

/// The Luhn check of the last ten digits (YYMMDDNNNC), as the Swedish Tax Agency defines the check digit.
fn luhn_ok(ten: &[u8]) -> bool {
    let sum: u32 = ten
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let v = u32::from(d - b'0') * if i % 2 == 0 { 2 } else { 1 };
            if v > 9 { v - 9 } else { v }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A real date; a coordination number (samordningsnummer) adds 60 to the day. Without the century, 29 February is
/// allowed in any year.
fn date_ok(century: Option<u32>, yy: u32, mm: u32, dd: u32) -> bool {
    let day = if dd > 60 { dd - 60 } else { dd };
    let leap = match century {
        Some(c) => {
            let y = c * 100 + yy;
            y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400))
        }
        None => true,
    };
    let days = match mm {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Identity numbers: YYMMDD or YYYYMMDD, then `-`, `+`, a space or nothing, then four digits whose last is the Luhn
/// check digit of the ten. Digits that continue on either side make it some other number.
pub(super) fn identity_numbers(b: &[u8], found: &mut Vec<(PersonalData, usize, usize)>) {
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        // Part of a longer number written in groups ("12-811218-9876") is not an identity number.
        let glued = i >= 2 && matches!(b[i - 1], b'-' | b'+') && b[i - 2].is_ascii_digit();
        let run = run_of_digits(b, i);
        let mut hit = None;
        if !glued {
            if run == 10 || run == 12 {
                hit = Some((i + run, b[i..i + run].to_vec()));
            } else if (run == 6 || run == 8) && matches!(b.get(i + run), Some(b'-' | b'+' | b' ')) {
                let j = i + run + 1;
                if digit(b, j) && run_of_digits(b, j) == 4 {
                    let mut d = b[i..i + run].to_vec();
                    d.extend_from_slice(&b[j..j + 4]);
                    // "123456-1234-5" continues: not an identity number.
                    let continues = matches!(b.get(j + 4), Some(b'-' | b'+')) && digit(b, j + 5);
                    if !continues {
                        hit = Some((j + 4, d));
                    }
                }
            }
        }
        if let Some((end, d)) = hit {
            let century = (d.len() == 12).then(|| value(&d[..2]));
            let ten = &d[d.len() - 10..];
            let century_ok = century.is_none_or(|c| (18..=20).contains(&c));
            if century_ok && date_ok(century, value(&ten[..2]), value(&ten[2..4]), value(&ten[4..6])) && luhn_ok(ten) {
                found.push((PersonalData::IdentityNumber, i, end));
                i = end;
                continue;
            }
        }
        i += run.max(1);
    }
}

/// After a group of digits: a separator (a space, a dash, or a dash with spaces around it) and the next digit.
fn separator(b: &[u8], j: usize) -> Option<usize> {
    let mut k = j;
    if b.get(k) == Some(&b' ') {
        k += 1;
    }
    if b.get(k) == Some(&b'-') {
        k += 1;
        if b.get(k) == Some(&b' ') {
            k += 1;
        }
    }
    (k > j && k - j <= 3 && digit(b, k)).then_some(k)
}

/// Swedish phone numbers: domestic (`070-123 45 67`, `0701234567`, `08-123 456 78`, `(013) 20 60 00`) with 8 to 10
/// digits starting with an area code, and international (`+46 70 …`, `+46 (0)70 …`, `0046 70 …`, `+46-8-…`) with 7
/// to 9 digits after the country code. Digits in groups separated by spaces, dashes or en dashes.
pub(super) fn phones(b: &[u8], found: &mut Vec<(PersonalData, usize, usize)>) {
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'-' | b'+' | b'.'));
        if !boundary || !matches!(b[i], b'+' | b'0' | b'(') {
            i += 1;
            continue;
        }
        match phone_at(b, i) {
            Some(end) => {
                found.push((PersonalData::Phone, i, end));
                i = end;
            }
            None => i += 1,
        }
    }
}

fn phone_at(b: &[u8], i: usize) -> Option<usize> {
    let rest = &b[i..];
    // The country code, and where the national number starts.
    let (mut j, international) = if rest.starts_with(b"+46") {
        (i + 3, true)
    } else if rest.starts_with(b"0046") {
        (i + 4, true)
    } else {
        (i, false)
    };
    if international {
        // "+46 70", "+46-70", "+46 (0)70", "+46(0) 70".
        if matches!(b.get(j), Some(b' ' | b'-')) {
            j += 1;
        }
        if b[j..].starts_with(b"(0)") {
            j += 3;
            if b.get(j) == Some(&b' ') {
                j += 1;
            }
        }
        if !matches!(b.get(j), Some(b'1'..=b'9')) {
            return None;
        }
    }
    let mut paren = false;
    if !international {
        if b.get(j) == Some(&b'(') {
            paren = true;
            j += 1;
        }
        // An area code: 0 and a digit that is not 0 (00 is the international prefix).
        if b.get(j) != Some(&b'0') || !matches!(b.get(j + 1), Some(b'1'..=b'9')) {
            return None;
        }
    }
    let first = run_of_digits(b, j);
    if !international && first < 2 {
        return None;
    }
    let mut digits = first;
    let mut end = j + first;
    if paren {
        if b.get(end) != Some(&b')') {
            return None;
        }
        end += 1;
        if b.get(end) == Some(&b' ') && digit(b, end + 1) {
            end += 1;
        } else if !digit(b, end) {
            return None;
        }
        let g = run_of_digits(b, end);
        digits += g;
        end += g;
    }
    // Mobile numbers (07x) have ten digits (nine after +46); other numbers 8 to 10 (7 to 9).
    let mobile = if international {
        b[j] == b'7'
    } else {
        b.get(j + 1) == Some(&b'7')
    };
    let range = match (international, mobile) {
        (true, true) => 9..=9,
        (true, false) => 7..=9,
        (false, true) => 10..=10,
        (false, false) => 8..=10,
    };
    // The longest grouping whose digit count fits; the groups of a longer one are some other number.
    let mut best = range.contains(&digits).then_some(end);
    while let Some(k) = separator(b, end) {
        let g = run_of_digits(b, k);
        digits += g;
        end = k + g;
        if digits > *range.end() + 2 {
            break;
        }
        if range.contains(&digits) {
            best = Some(end);
        }
    }
    let end = best?;
    if b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) || (b.get(end) == Some(&b'-') && digit(b, end + 1)) {
        return None;
    }
    let shape = &b[i..end];
    if !international && (looks_like_identity_number(shape) || looks_like_date(shape)) {
        return None;
    }
    Some(end)
}

/// `YYMMDD-NNNN` and `YYYYMMDD-NNNN` are written like identity numbers, not like phone numbers; the identity check
/// decides.
fn looks_like_identity_number(s: &[u8]) -> bool {
    let sep = s.iter().position(|c| !c.is_ascii_digit());
    match sep {
        Some(p) => {
            (p == 6 || p == 8)
                && matches!(s[p], b'-' | b'+')
                && s.len() == p + 5
                && s[p + 1..].iter().all(u8::is_ascii_digit)
        }
        None => false,
    }
}

/// `DD-MM-YYYY` (a date written the European way).
fn looks_like_date(s: &[u8]) -> bool {
    s.len() == 10
        && s[2] == b'-'
        && s[5] == b'-'
        && [0, 1, 3, 4, 6, 7, 8, 9].iter().all(|&k| s[k].is_ascii_digit())
        && (s.starts_with(b"0") || s.starts_with(b"1") || s.starts_with(b"2") || s.starts_with(b"3"))
        && (1..=12).contains(&value(&s[3..5]))
        && matches!(&s[6..8], b"19" | b"20")
}
