//! Property tests: what the encoder writes, the decoder reads back.
//!
//! For any text `s`, writing `Subject: s` with `encode::header_field` and
//! reading the field with `decode::headers` + `Field::unstructured` gives
//! back `s` with its leading and trailing SP/HTAB removed (the only
//! normalisation: an unstructured value is trimmed on both sides). The
//! written lines are at most 78 characters, unless a line holds a single
//! word that cannot be broken (on the first line: after the field name),
//! and never more than 998; no encoded word is
//! longer than 75 characters.

use mailwire_mime::types::HeaderName;
use mailwire_mime::{Limits, decode, encode};
use proptest::prelude::*;

fn normalise(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

fn check(name: &str, text: &str) -> Result<(), TestCaseError> {
    let name = HeaderName::new(name).unwrap();
    let mut out = Vec::new();
    encode::header_field(&name, text, &mut out);
    let wire = String::from_utf8(out.clone()).expect("the encoder writes ASCII");
    prop_assert!(wire.is_ascii());
    prop_assert!(wire.ends_with("\r\n"));

    let lines: Vec<&str> = wire[..wire.len() - 2].split("\r\n").collect();
    for (i, line) in lines.iter().enumerate() {
        prop_assert!(!line.contains(['\r', '\n']), "stray line break in {wire:?}");
        prop_assert!(line.len() <= 998, "line over 998 in {wire:?}");
        if i > 0 {
            prop_assert!(
                line.starts_with([' ', '\t']),
                "fold without WSP in {wire:?}"
            );
            prop_assert!(
                !line.trim_matches([' ', '\t']).is_empty(),
                "blank fold in {wire:?}"
            );
        }
        if line.len() > 78 {
            // Only one unbreakable token may make a line long: the name
            // with the first word (which stays on the colon's line, as
            // readers that keep a fold after the colon in the value need),
            // or one word after the fold's white space.
            let content = if i == 0 {
                let after_colon = line.get(name.as_str().len() + 1..).unwrap_or_default();
                after_colon.trim_start_matches([' ', '\t'])
            } else {
                line.trim_start_matches([' ', '\t'])
            };
            prop_assert!(!content.contains([' ', '\t']), "long line {line:?}");
        }
        for word in line.split([' ', '\t']).filter(|w| w.starts_with("=?")) {
            prop_assert!(word.len() <= 75, "encoded word over 75: {word:?}");
        }
    }

    out.extend_from_slice(b"\r\n");
    let headers = decode::headers(&out, &Limits::default());
    prop_assert!(headers.defects().is_empty(), "{:?}", headers.defects());
    prop_assert_eq!(headers.len(), 1);
    let field = headers.field(0).unwrap();
    prop_assert_eq!(field.name(), name.as_str().as_bytes());
    prop_assert_eq!(field.unstructured(), normalise(text));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_unicode_round_trips(text in any::<String>()) {
        check("Subject", &text)?;
    }

    #[test]
    fn printable_text_with_spaces_round_trips(text in "[ -~\t]{0,300}") {
        check("Subject", &text)?;
    }

    #[test]
    fn mixed_text_round_trips(
        parts in proptest::collection::vec(
            prop_oneof![
                "[a-zA-Z0-9]{1,12}",
                "[ \t]{1,4}",
                "[éüß日本語😀]{1,6}",
                Just("=?".to_string()),
                Just("?=".to_string()),
                "[\r\n\0\x7f]",
                "[a-z]{60,120}",
            ],
            0..40,
        ),
        name in "[A-Za-z][A-Za-z0-9-]{0,30}",
    ) {
        check(&name, &parts.concat())?;
    }

    #[test]
    fn long_names(len in 70usize..200, text in "[a-zé ]{0,100}") {
        check(&"X".repeat(len), &text)?;
    }
}

#[test]
fn exact_examples() {
    for text in [
        "",
        "a",
        "  lead and trail  ",
        "é",
        "日本語のテキストはとても長いので、いくつかのエンコードされた単語に分割する必要があります。",
        "mixed ascii and ünïcödé words, with punctuation: (yes) \"quoted\"",
        "=?utf-8?q?not_an_encoded_word?=",
        "tab\tseparated\twords",
        "emoji 😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
    ] {
        check("Subject", text).unwrap();
    }
}
