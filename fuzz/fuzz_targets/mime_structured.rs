#![no_main]
//! Structured header field bodies of arbitrary bytes.
//!
//! Runs every structured parser (addresses, message identifiers, dates,
//! Content-Type, Content-Disposition, parameters, transfer encodings) on
//! the input and checks that none panics, that every defect offset lies
//! within the input, that parsed values are consistent (a mailbox's
//! `addr-spec` re-parses to the same local part and domain when it has
//! both, parameter names are lowercased), and that a parsed date rendered
//! in RFC 5322 form parses back to the same date without defects.
//! Linear time is checked by libFuzzer's timeout and by the unit tests
//! with 100 000 nested comments.

use libfuzzer_sys::fuzz_target;
use mailwire_mime::types::Defect;
use mailwire_mime::{Limits, decode};

fn check(defects: &[Defect], len: usize) {
    for d in defects {
        assert!(d.offset <= len, "{d:?} beyond {len}");
    }
}

fuzz_target!(|data: &[u8]| {
    let len = data.len();

    let (list, defects) = decode::address_list(data);
    check(&defects, len);
    for a in &list {
        for m in a.mailboxes() {
            assert!(m.name.as_deref().is_none_or(|n| !n.is_empty()));
            // A clean address re-parses to itself.
            let clean = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                    && !s.starts_with('.')
                    && !s.ends_with('.')
                    && !s.contains("..")
            };
            if clean(&m.local) && clean(&m.domain) {
                let spec = m.addr_spec();
                let (again, d) = decode::address_list(spec.as_bytes());
                assert!(d.is_empty(), "{spec:?} {d:?}");
                let back = again.first().and_then(|a| a.mailboxes().first()).unwrap();
                assert_eq!((&back.local, &back.domain), (&m.local, &m.domain));
            }
        }
    }

    for id in decode::message_ids(data) {
        assert!(!id.as_str().is_empty());
        assert!(!id.as_str().contains(['\r', '\n']));
    }

    match decode::date_time_with_defects(data) {
        Ok((d, defects)) => {
            check(&defects, len);
            let rendered = d.to_rfc5322();
            let (again, defects) = decode::date_time_with_defects(rendered.as_bytes())
                .unwrap_or_else(|e| panic!("{rendered:?} does not parse back: {e}"));
            assert_eq!(again, d, "{rendered:?}");
            assert!(defects.is_empty(), "{rendered:?} {defects:?}");
        }
        Err(e) => assert!(e.offset <= len),
    }

    // Small limits too, from the first byte.
    let mut limits = Limits::default();
    if let Some(&b) = data.first()
        && b & 0x80 != 0
    {
        limits.parameter_count = usize::from(b & 0x0f);
    }
    let (ct, defects) = decode::content_type(data, &limits);
    check(&defects, len);
    assert!(ct.parameters.len() <= limits.parameter_count);
    assert!(!ct.media_type.is_empty() && !ct.subtype.is_empty());
    assert_eq!(ct.media_type, ct.media_type.to_ascii_lowercase());
    for p in ct.parameters.iter() {
        assert_eq!(p.name, p.name.to_ascii_lowercase());
        assert!(ct.parameters.get(&p.name).is_some());
    }
    let (cd, defects) = decode::content_disposition(data, &limits);
    check(&defects, len);
    assert!(cd.parameters.len() <= limits.parameter_count);
    let (params, defects) = decode::parameters(data, &limits);
    check(&defects, len);
    assert!(params.len() <= limits.parameter_count);
    let _ = decode::transfer_encoding(data);
});
