#![no_main]
//! Header sections of arbitrary bytes.
//!
//! Checks that decoding never panics, that every offset lies within the
//! input, that decoding in chunks gives the same result as decoding the
//! whole input, and that every value, decoded as unstructured text, encodes
//! and decodes back to itself (trimmed of leading and trailing SP/HTAB).

use libfuzzer_sys::fuzz_target;
use mailwire_mime::decode::{self, HeaderDecoder, Progress};
use mailwire_mime::types::HeaderName;
use mailwire_mime::{Limits, encode};

fuzz_target!(|data: &[u8]| {
    // The first byte picks a chunk size and small limits, so both the
    // chunk boundaries and the limit paths get explored.
    let (control, input) = match data.split_first() {
        Some((&c, rest)) => (c, rest),
        None => (0, data),
    };
    let mut limits = Limits::default();
    if control & 0x80 != 0 {
        limits.header_count = usize::from(control & 0x07);
        limits.header_bytes = usize::from(control & 0x78) * 4;
    }
    let chunk = usize::from(control & 0x1f) + 1;

    let headers = decode::headers(input, &limits);
    let body_start = headers.body_start();
    assert!(body_start <= input.len());
    assert!(
        body_start
            <= limits
                .header_bytes
                .max(input.len().min(limits.header_bytes))
    );
    assert!(headers.len() <= limits.header_count);
    assert_eq!(headers.section(), &input[..body_start]);
    let mut last_end = 0;
    for field in headers.iter() {
        let span = field.span();
        assert!(span.start >= last_end && span.end <= body_start);
        last_end = span.end;
        let value = field.value_span();
        assert!(span.start <= value.start && value.start <= value.end && value.end <= span.end);
        assert_eq!(&input[span], field.raw());
    }
    for d in headers.defects() {
        assert!(d.offset <= input.len());
    }

    // Chunked decoding agrees with whole decoding, body bytes included.
    let mut decoder = HeaderDecoder::new(&limits);
    let mut body = Vec::new();
    let mut chunks = input.chunks(chunk);
    for c in chunks.by_ref() {
        if let Progress::Done { consumed } = decoder.push(c) {
            body.extend_from_slice(decoder.buffered_body());
            body.extend_from_slice(&c[consumed..]);
            break;
        }
    }
    let done_early = decoder.is_done();
    for c in chunks {
        body.extend_from_slice(c);
    }
    assert_eq!(decoder.finish(), body_start);
    if !done_early {
        // Ended by the end of input: the body is what was buffered.
        body.extend_from_slice(decoder.buffered_body());
    }
    assert_eq!(decoder.headers().as_ref(), Some(&headers));
    assert_eq!(body, &input[body_start..]);

    // Every value decodes; encoding the text and decoding it again gives
    // the text back.
    let name = HeaderName::new("X-Fuzz").unwrap();
    for field in headers.iter() {
        let text = field.unstructured();
        let mut out = Vec::new();
        encode::header_field(&name, &text, &mut out);
        assert!(out.ends_with(b"\r\n"));
        for line in out[..out.len() - 2].split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            assert!(line.len() <= 998);
            assert!(!line.contains(&b'\r'));
        }
        let back = decode::headers(&out, &Limits::default());
        assert_eq!(back.len(), 1);
        let again = back.field(0).unwrap().unstructured();
        assert_eq!(again, text.trim_matches([' ', '\t']));
    }
});
