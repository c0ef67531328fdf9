//! Every message of the shared corpus: the header section splits without
//! panic, offsets stay within the input, chunked decoding agrees with whole
//! decoding, and every value decodes and re-encodes.
//!
//! The corpus lives beside the workspace (`../shared/corpus/mime`), not in
//! the package: when it is missing, the test says so and passes.

use std::path::PathBuf;

use mailwire_mime::decode::{self, HeaderDecoder, Progress};
use mailwire_mime::types::HeaderName;
use mailwire_mime::{Limits, Message, encode};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/mime")
}

/// Every message of the corpus with its path, in the order of the paths;
/// `None` (said) when the corpus is missing.
fn corpus() -> Option<Vec<(PathBuf, Vec<u8>)>> {
    let dir = corpus_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!("corpus not found at {}: skipped", dir.display());
        return None;
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    paths.sort();
    Some(
        paths
            .into_iter()
            .map(|p| {
                let input = std::fs::read(&p).unwrap();
                (p, input)
            })
            .collect(),
    )
}

#[test]
fn corpus_header_sections() {
    let Some(corpus) = corpus() else { return };
    let mut count = 0;
    let limits = Limits::default();
    for (path, input) in corpus {
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
    assert!(count > 100, "only {count} messages in the corpus");
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

/// Every structured field of every message parses without panic, with
/// defect offsets inside the input.
#[test]
fn corpus_structured_fields() {
    let Some(corpus) = corpus() else { return };
    let limits = Limits::default();
    let (mut addresses, mut dates, mut ids, mut types) = (0, 0, 0, 0);
    for (path, input) in corpus {
        let headers = decode::headers(&input, &limits);
        for field in headers.iter() {
            let name = String::from_utf8_lossy(field.name()).to_ascii_lowercase();
            let check = |defects: &[mailwire_mime::types::Defect]| {
                for d in defects {
                    assert!(d.offset <= field.value_span().end, "{}", path.display());
                }
            };
            match name.as_str() {
                "from" | "to" | "cc" | "bcc" | "reply-to" | "sender" => {
                    let (list, defects) = field.addresses();
                    check(&defects);
                    addresses += list.len();
                }
                "date" => dates += usize::from(field.date_time().is_ok()),
                "message-id" | "in-reply-to" | "references" => ids += field.message_ids().len(),
                "content-type" => {
                    let (_, defects) = field.content_type(&limits);
                    check(&defects);
                    types += 1;
                }
                "content-disposition" => check(&field.content_disposition(&limits).1),
                "content-transfer-encoding" => {
                    let _ = field.transfer_encoding();
                }
                _ => {}
            }
        }
    }
    println!("{addresses} addresses, {dates} dates, {ids} message ids, {types} content types");
    assert!(addresses > 50 && dates > 20 && ids > 5 && types > 100);
}

#[test]
fn corpus_structured_spot_checks() {
    use mailwire_mime::types::Address;
    let dir = corpus_dir();
    let Ok(input) = std::fs::read(dir.join("issues-98-group-first.eml")) else {
        println!("corpus not found at {}: skipped", dir.display());
        return;
    };
    let limits = Limits::default();
    let h = decode::headers(&input, &limits);
    let (list, _) = h.get("to").unwrap().addresses();
    assert_eq!(list.len(), 2);
    let Address::Group(g) = &list[0] else {
        panic!("{list:?}")
    };
    assert_eq!(g.name, "first");
    assert_eq!(g.members.len(), 2);
    assert_eq!(list[1].mailboxes()[0].addr_spec(), "x@y.com");

    let input = std::fs::read(dir.join("issues-98-mixed.eml")).unwrap();
    let h = decode::headers(&input, &limits);
    let (list, _) = h.get("to").unwrap().addresses();
    assert_eq!(list.len(), 3);
    assert!(matches!(&list[1], Address::Group(g) if g.members.is_empty()));
}

/// `Message::parse_with` reuses the parser of the last message parsed on
/// the thread: every corpus message, parsed after all the others (and
/// after parses with other limits), gives the tree a fresh thread gives.
#[test]
fn corpus_trees_do_not_depend_on_earlier_parses() {
    let Some(corpus) = corpus() else { return };
    let inputs: Vec<Vec<u8>> = corpus.into_iter().map(|(_, input)| input).collect();
    let mut tight = Limits::default();
    tight.max_depth = 2;
    tight.part_count = 3;
    tight.header_count = 5;
    let tree = |input: &[u8], limits: &Limits| format!("{:?}", Message::parse_with(input, limits));
    let fresh: Vec<(String, String)> = std::thread::scope(|s| {
        inputs
            .iter()
            .map(|input| {
                let (a, b) = (input.clone(), input.clone());
                let one = s.spawn(move || tree(&a, &Limits::default()));
                let two = s.spawn(move || tree(&b, &tight));
                (one.join().unwrap(), two.join().unwrap())
            })
            .collect()
    });
    for round in 0..2 {
        for (input, (default, tight_tree)) in inputs.iter().zip(&fresh).rev() {
            if round == 0 {
                assert_eq!(&tree(input, &tight), tight_tree);
                assert_eq!(&tree(input, &Limits::default()), default);
            } else {
                assert_eq!(&tree(input, &Limits::default()), default);
                assert_eq!(&tree(input, &tight), tight_tree);
            }
        }
    }
}
