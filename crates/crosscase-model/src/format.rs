//! Numbers as workshop participants read them: Swedish with decimal comma, a space between thousands and before
//! the percent sign; English with a decimal point and comma-separated thousands.

use crate::project::Language;

/// A whole number with thousands separated: `12 345` in Swedish (no-break space), `12,345` in English.
pub fn integer(n: u64, language: Language) -> String {
    let digits = n.to_string();
    let sep = match language {
        Language::Sv => '\u{a0}',
        Language::En => ',',
    };
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// A number with `decimals` decimals, e.g. `0,25` in Swedish and `0.25` in English.
pub fn decimal(x: f64, decimals: usize, language: Language) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let sign = if x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "−"
    } else {
        ""
    };
    let int = integer(int.parse().unwrap_or(0), language);
    if frac.is_empty() {
        return format!("{sign}{int}");
    }
    let point = match language {
        Language::Sv => ',',
        Language::En => '.',
    };
    format!("{sign}{int}{point}{frac}")
}

/// A share (0–1) as a whole percentage: `45 %` in Swedish, `45%` in English.
pub fn percent(share: f64, language: Language) -> String {
    let p = decimal(share * 100.0, 0, language);
    match language {
        Language::Sv => format!("{p}\u{a0}%"),
        Language::En => format!("{p}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_language() {
        assert_eq!(integer(1_234_567, Language::Sv), "1\u{a0}234\u{a0}567");
        assert_eq!(integer(1_234_567, Language::En), "1,234,567");
        assert_eq!(integer(999, Language::Sv), "999");
        assert_eq!(decimal(0.254, 2, Language::Sv), "0,25");
        assert_eq!(decimal(1234.5, 1, Language::Sv), "1\u{a0}234,5");
        assert_eq!(decimal(-0.5, 1, Language::En), "−0.5");
        assert_eq!(decimal(-0.004, 2, Language::En), "0.00");
        assert_eq!(percent(0.456, Language::Sv), "46\u{a0}%");
        assert_eq!(percent(0.456, Language::En), "46%");
    }
}
