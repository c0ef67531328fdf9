//! Property tests for structured fields: generated address lists,
//! parameters and dates are rendered in RFC syntax, with random quoting,
//! encoded words, folding and comments, and parsing gives back the
//! generated values.

use base64::Engine as _;
use mailwire_mime::types::{Address, DateTime, Group, Mailbox};
use mailwire_mime::{Limits, decode};
use proptest::prelude::*;

/// Optional folding white space and comments, as a writer may put them
/// where `CFWS` is allowed.
fn cfws() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_owned()),
        Just("\r\n ".to_owned()),
        Just(" (a comment) ".to_owned()),
        Just("(nested (comment) \\) here)".to_owned()),
        Just("\r\n\t(folded\r\n comment)\r\n ".to_owned()),
    ]
}

fn atom() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9!#$%&'*+/^_`{|}~-]{1,8}"
}

/// A display name: words separated by single spaces.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(atom(), 1..4).prop_map(|w| w.join(" ")),
        prop::collection::vec(
            "[a-zA-Z0-9 .,;:<>@\"\\\\()\u{e9}\u{4e16}\u{1F600}-]{1,6}",
            1..3
        )
        .prop_map(|w| w.join(" "))
        .prop_filter("no edge spaces", |s| {
            !s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  ")
        }),
    ]
}

fn local() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(atom(), 1..3).prop_map(|w| w.join(".")),
        "[a-z @.\"\\\\,]{1,10}",
    ]
}

fn domain() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec("[a-z0-9-]{1,8}", 1..4).prop_map(|l| l.join(".")),
        "\\[[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\]",
    ]
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    (prop::option::of(name()), local(), domain()).prop_map(|(name, local, domain)| Mailbox {
        name,
        local,
        domain,
    })
}

fn address() -> impl Strategy<Value = Address> {
    prop_oneof![
        3 => mailbox().prop_map(Address::Mailbox),
        1 => (prop::collection::vec(atom(), 1..3), prop::collection::vec(mailbox(), 0..3))
            .prop_map(|(n, members)| Address::Group(Group { name: n.join(" "), members })),
    ]
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn is_atom(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/^_`{|}~-".contains(c))
}

/// Renders a display name: as atoms (when it is made of them), a quoted
/// string, or an RFC 2047 encoded word, by `style`.
fn render_name(name: &str, style: u8) -> String {
    match style % 3 {
        0 if name.split(' ').all(is_atom) => name.to_owned(),
        1 => format!(
            "=?utf-8?b?{}?=",
            base64::engine::general_purpose::STANDARD.encode(name)
        ),
        _ => quote(name),
    }
}

fn render_mailbox(m: &Mailbox, style: u8, c: &[String]) -> String {
    let local = if m.local.split('.').all(is_atom) {
        m.local.clone()
    } else {
        quote(&m.local)
    };
    let spec = format!("{local}@{}", m.domain);
    match &m.name {
        Some(n) => format!("{}{} <{spec}>{}", c[0], render_name(n, style), c[1]),
        None if style.is_multiple_of(2) => format!("{}{spec}{}", c[0], c[1]),
        None => format!("{}<{spec}>{}", c[0], c[1]),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn address_lists(
        list in prop::collection::vec(address(), 1..5),
        styles in prop::collection::vec(any::<u8>(), 16),
        c in prop::collection::vec(cfws(), 16),
    ) {
        let mut parts = Vec::new();
        for (k, a) in list.iter().enumerate() {
            let s = styles[k % styles.len()];
            let cc = [c[k % 16].clone(), c[(k + 5) % 16].clone()];
            parts.push(match a {
                Address::Mailbox(m) => render_mailbox(m, s, &cc),
                Address::Group(g) => {
                    let members: Vec<String> =
                        g.members.iter().map(|m| render_mailbox(m, s, &cc)).collect();
                    format!("{}{}:{};{}", cc[0], g.name, members.join(","), cc[1])
                }
            });
        }
        let raw = format!(" {}", parts.join(","));
        let (back, defects) = decode::address_list(raw.as_bytes());
        prop_assert_eq!(&back, &list, "{:?} {:?}", raw, defects);
    }

    #[test]
    fn parameter_lists(
        params in prop::collection::btree_map("[a-z]{1,8}", "[ -~\u{e9}\u{4e16}\u{1F600}]{0,20}", 1..6),
        styles in prop::collection::vec(any::<u8>(), 6),
        splits in prop::collection::vec(1usize..10, 6),
        c in prop::collection::vec(cfws(), 6),
    ) {
        let mut raw = String::from("application/x-test");
        for (k, (name, value)) in params.iter().enumerate() {
            let style = styles[k];
            let sep = format!("{};{}", c[k], c[(k + 1) % 6]);
            // `?` could start an encoded word in a plain value.
            let plain_ok = !value.contains('?');
            let token = !value.is_empty()
                && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
            if token && style % 4 == 0 {
                raw += &format!("{sep}{name}={value}");
            } else if plain_ok && value.is_ascii() && style % 4 == 1 {
                raw += &format!("{sep}{name}={}", quote(value));
            } else if style % 4 == 2 {
                raw += &format!("{sep}{name}*=utf-8'en'{}", pct(value.as_bytes()));
            } else {
                // Continuations split at byte level, given in reverse order.
                let bytes = value.as_bytes();
                let step = splits[k];
                let chunks: Vec<&[u8]> = if bytes.is_empty() {
                    vec![&[][..]]
                } else {
                    bytes.chunks(step).collect()
                };
                for (i, chunk) in chunks.iter().enumerate().rev() {
                    let prefix = if i == 0 { "utf-8''" } else { "" };
                    raw += &format!("{sep}{name}*{i}*={prefix}{}", pct(chunk));
                }
            }
        }
        let (ct, defects) = decode::content_type(raw.as_bytes(), &Limits::default());
        prop_assert!(defects.is_empty(), "{:?} {:?}", raw, defects);
        prop_assert_eq!(ct.essence(), "application/x-test");
        prop_assert_eq!(ct.parameters.len(), params.len());
        for (name, value) in &params {
            prop_assert_eq!(ct.parameters.get(name), Some(value.as_str()), "{:?}", raw);
        }
    }

    #[test]
    fn dates(
        year in 0u16..=9999,
        month in 1u8..=12,
        day in 1u8..=31,
        hour in 0u8..24,
        minute in 0u8..60,
        second in 0u8..=60,
        offset in prop::option::of(-5999i16..=5999),
        style in any::<u8>(),
        c in prop::collection::vec(cfws(), 8),
    ) {
        let Ok(d) = DateTime::new(year, month, day, hour, minute, second, offset) else {
            return Ok(());
        };
        let rendered = render_date(&d, style, &c);
        let (back, defects) = decode::date_time_with_defects(rendered.as_bytes())
            .map_err(|e| TestCaseError::fail(format!("{rendered:?}: {e}")))?;
        prop_assert_eq!(back, d, "{:?} {:?}", rendered, defects);
        prop_assert!(!defects.iter().any(|d| d.kind == mailwire_mime::types::DefectKind::DayOfWeekMismatch));
        // The canonical form parses back without defects.
        let (again, defects) = decode::date_time_with_defects(d.to_rfc5322().as_bytes()).unwrap();
        prop_assert_eq!(again, d);
        prop_assert!(defects.is_empty());
    }
}

fn pct(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Renders `d` in one of the forms RFC 5322 §3.3 and §4.3 allow, with
/// white space replaced by `c` where there is some.
fn render_date(d: &DateTime, style: u8, c: &[String]) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let ws = |k: usize| {
        if c[k].is_empty() {
            " ".to_owned()
        } else {
            c[k].clone()
        }
    };
    let mut out = String::new();
    if style & 1 != 0 {
        out += &format!("{}{},", DAYS[usize::from(d.weekday())], c[0]);
    }
    out += &format!("{}{}", ws(1), d.day());
    out += &format!("{}{}", ws(2), MONTHS[usize::from(d.month() - 1)]);
    let year = d.year();
    if style & 2 != 0 && (1950..=2049).contains(&year) {
        out += &format!("{}{:02}", ws(3), year % 100);
    } else {
        out += &format!("{}{:04}", ws(3), year);
    }
    out += &format!("{}{:02}:{:02}", ws(4), d.hour(), d.minute());
    if d.second() != 0 || style & 4 != 0 {
        out += &format!(":{:02}", d.second());
    }
    let named = match d.offset() {
        Some(0) if style & 8 != 0 => Some("GMT"),
        Some(-300) => Some("EST"),
        Some(-420) => Some("PDT"),
        _ => None,
    };
    match (named, d.offset()) {
        (Some(n), _) => out += &format!("{}{n}", ws(5)),
        (None, None) => out += &format!("{}-0000", ws(5)),
        (None, Some(o)) => {
            let sign = if o < 0 { '-' } else { '+' };
            let o = o.unsigned_abs();
            out += &format!("{}{sign}{:02}{:02}", ws(5), o / 60, o % 60);
        }
    }
    out + &c[6]
}

/// Deeply nested comments cost linear time and no stack in every parser:
/// 100 000 open parentheses, closed or not, then a value.
#[test]
fn nested_comments_in_every_parser() {
    let limits = Limits::default();
    for closed in [false, true] {
        let mut raw = vec![b'('; 100_000];
        if closed {
            raw.extend(vec![b')'; 100_000]);
        }
        raw.extend_from_slice(b" <a@b.c> 1 Jan 2000 00:00 +0000 text/plain; a=b");
        let (list, _) = decode::address_list(&raw);
        let ids = decode::message_ids(&raw);
        let date = decode::date_time(&raw);
        let (ct, _) = decode::content_type(&raw, &limits);
        let (cd, _) = decode::content_disposition(&raw, &limits);
        let (p, _) = decode::parameters(&raw, &limits);
        let te = decode::transfer_encoding(&raw);
        if closed {
            assert_eq!(list[0].mailboxes()[0].addr_spec(), "a@b.c");
            assert_eq!(ids[0].as_str(), "a@b.c");
            assert!(date.is_err());
            assert_eq!(ct.essence(), "text/plain");
        } else {
            // All of it is one unterminated comment.
            assert!(list.is_empty() && ids.is_empty() && date.is_err() && p.is_empty());
            assert!(cd.kind.is_empty());
            assert_eq!(te, mailwire_mime::types::TransferEncoding::SevenBit);
        }
    }
}

/// Long runs of what each parser skips or rescans stay linear: this would
/// take minutes if any of them were quadratic.
#[test]
fn long_runs_are_linear() {
    let limits = Limits::default();
    for unit in [
        &b" "[..],
        b"=?",
        b"=?a?q?",
        b"(",
        b"\"",
        b"<",
        b"a, ",
        b"a=b c ",
        b"@",
        b".",
    ] {
        let raw: Vec<u8> = unit.iter().copied().cycle().take(400_000).collect();
        let mut with_value = b"text/plain; a=b".to_vec();
        with_value.extend_from_slice(&raw);
        for input in [&raw, &with_value] {
            let _ = decode::address_list(input);
            let _ = decode::message_ids(input);
            let _ = decode::date_time(input);
            let _ = decode::content_type(input, &limits);
            let _ = decode::content_disposition(input, &limits);
            let _ = decode::parameters(input, &limits);
        }
    }
}
