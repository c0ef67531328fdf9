//! Every message of the shared corpus: the header section splits without
//! panic, offsets stay within the input, chunked decoding agrees with whole
//! decoding, and every value decodes and re-encodes.
//!
//! The corpus lives beside the workspace (`../shared/corpus/mime`), not in
//! the package: when it is missing, the test says so and passes.

use std::path::PathBuf;

use mailwire_mime::decode::{self, HeaderDecoder, Progress};
use mailwire_mime::types::HeaderName;
use mailwire_mime::{Limits, encode};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/mime")
}

#[test]
fn corpus_header_sections() {
    let dir = corpus_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("corpus not found at {}: skipped", dir.display());
        return;
    };
    let mut count = 0;
    let limits = Limits::default();
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let input = std::fs::read(&path).unwrap();
        let headers = decode::headers(&input, &limits);
        let body_start = headers.body_start();
        assert!(body_start <= input.len());
        for field in headers.iter() {
            assert!(field.span().end <= body_start, "{}", path.display());
            assert_eq!(&input[field.span()], field.raw());
            let text = field.unstructured();
            let mut out = Vec::new();
            encode::header_field(&HeaderName::new("X").unwrap(), &text, &mut out);
            let back = decode::headers(&out, &limits);
            assert_eq!(
                back.field(0).unwrap().unstructured(),
                text.trim_matches([' ', '\t']),
                "{}",
                path.display()
            );
        }
        for chunk_size in [1, 13, 4096] {
            let mut d = HeaderDecoder::new(&limits);
            for chunk in input.chunks(chunk_size) {
                if let Progress::Done { .. } = d.push(chunk) {
                    break;
                }
            }
            assert_eq!(d.finish(), body_start);
            assert_eq!(d.headers().unwrap(), headers, "{}", path.display());
        }
        count += 1;
    }
    assert!(count > 100, "only {count} messages in {}", dir.display());
}

#[test]
fn corpus_known_cases() {
    let dir = corpus_dir();
    let read = |name: &str| std::fs::read(dir.join(name));
    let Ok(unstructured) = read("regressions-unstructured-fields.eml") else {
        println!("corpus not found at {}: skipped", dir.display());
        return;
    };
    let limits = Limits::default();
    let h = decode::headers(&unstructured, &limits);
    assert_eq!(h.get("subject").unwrap().unstructured(), "café au lait");
    assert_eq!(h.get("content-description").unwrap().unstructured(), "[x]é");

    let smuggled = read("regressions-header-name-smuggled-subject.eml").unwrap();
    let h = decode::headers(&smuggled, &limits);
    assert!(h.get("subject").is_none());
    assert_eq!(h.len(), 2);

    let no_break = read("regressions-header-only-no-line-break.eml").unwrap();
    let h = decode::headers(&no_break, &limits);
    assert_eq!(h.get("subject").unwrap().unstructured(), "last");
    assert_eq!(h.body_start(), no_break.len());
}
