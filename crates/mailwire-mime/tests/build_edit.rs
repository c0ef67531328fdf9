//! Editing parsed messages: unchanged messages are written back byte for
//! byte (the whole corpus), and edits regenerate only what they touch.

use std::path::PathBuf;

use mailwire_mime::Message;
use mailwire_mime::build::{Editor, EmailAddress, MediaType, Part};
use mailwire_mime::decode::PartKind;
use mailwire_mime::types::HeaderName;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/mime");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("corpus directory") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "eml") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    assert!(out.len() >= 140, "corpus has {} messages", out.len());
    out
}

fn name(n: &'static str) -> HeaderName<'static> {
    HeaderName::new(n).unwrap()
}

#[test]
fn corpus_unchanged_is_byte_exact() {
    for (file, bytes) in corpus() {
        let message = Message::parse(&bytes);
        let out = Editor::new(&message).to_vec().unwrap();
        assert!(out == bytes, "{file}: not written back byte for byte");
        let mut streamed = Vec::new();
        Editor::new(&message).write_to(&mut streamed).unwrap();
        assert!(streamed == bytes, "{file}: write_to differs");
    }
}

#[test]
fn corpus_subject_edit_touches_only_the_subject() {
    for (file, bytes) in corpus() {
        let message = Message::parse(&bytes);
        let mut editor = Editor::new(&message);
        editor.set_header(0, name("Subject"), "Edité");
        let out = editor.to_vec().unwrap();
        let edited = Message::parse(&out);
        let subject = edited.root().headers().get("subject").unwrap();
        assert_eq!(subject.unstructured(), "Edité", "{file}");
        // Everything but the Subject fields is as it was: remove the
        // fields from both and compare.
        let strip = |m: &Message<'_>, input: &[u8]| {
            let mut v = input.to_vec();
            let mut spans: Vec<_> = m
                .root()
                .headers()
                .get_all("subject")
                .map(|f| f.span())
                .collect();
            spans.sort_by_key(|s| std::cmp::Reverse(s.start));
            for s in spans {
                v.drain(s);
            }
            v
        };
        let before = strip(&message, &bytes);
        let after = strip(&edited, &out);
        if message.root().headers().get("subject").is_some() {
            assert!(before == after, "{file}: bytes besides the Subject changed");
        } else {
            // Added after the last field: the rest is unchanged.
            assert_eq!(before, after, "{file}");
        }
        assert_eq!(
            message.parts().len(),
            edited.parts().len(),
            "{file}: part count changed"
        );
    }
}

const MIXED: &[u8] = b"From: a@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npreamble\r\n--XX\r\n\
Content-Type: text/plain\r\n\r\nfirst   part  \r\n--XX\r\n\
Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n\
X-Keep: yes\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--XX--\r\nepilogue\r\n";

#[test]
fn replace_body_keeps_other_fields_and_bytes() {
    let message = Message::parse(MIXED);
    let mut editor = Editor::new(&message);
    editor.replace_body(
        2,
        Part::bytes(
            MediaType::parse("image/png").unwrap(),
            vec![0u8, 1, 2, 3, 255],
        )
        .attachment(Some("b.png")),
    );
    let out = editor.to_vec().unwrap();
    let text = String::from_utf8_lossy(&out);
    // The first part, preamble and epilogue are untouched.
    assert!(text.starts_with(
        "From: a@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npreamble\r\n--XX\r\n\
         Content-Type: text/plain\r\n\r\nfirst   part  \r\n--XX\r\nX-Keep: yes\r\n"
    ));
    assert!(text.ends_with("\r\n--XX--\r\nepilogue\r\n"));
    let edited = Message::parse(&out);
    let part = edited.part(2).unwrap();
    assert_eq!(part.content_type().essence(), "image/png");
    assert_eq!(part.filename(), Some("b.png"));
    assert_eq!(&part.decoded_bytes()[..], &[0u8, 1, 2, 3, 255]);
    assert_eq!(part.headers().get("x-keep").unwrap().unstructured(), "yes");
    assert_eq!(
        edited.part(1).unwrap().raw(),
        message.part(1).unwrap().raw()
    );
}

#[test]
fn replacement_content_avoids_the_enclosing_boundary() {
    let message = Message::parse(MIXED);
    let mut editor = Editor::new(&message);
    // Text whose lines look like the enclosing delimiter: it must be
    // encoded so that they do not show.
    editor.replace_body(1, Part::text("a\n--XX\n--XX--\nb"));
    let out = editor.to_vec().unwrap();
    let edited = Message::parse(&out);
    assert_eq!(edited.parts().len(), 3);
    assert_eq!(
        edited.part(1).unwrap().text().unwrap(),
        "a\r\n--XX\r\n--XX--\r\nb"
    );
    assert_eq!(
        edited.part(2).unwrap().raw(),
        message.part(2).unwrap().raw()
    );
}

#[test]
fn replace_part_and_multipart_content() {
    let message = Message::parse(MIXED);
    let mut editor = Editor::new(&message);
    editor.replace_part(
        1,
        Part::multipart("alternative", vec![Part::text("t"), Part::html("<b>h</b>")]).unwrap(),
    );
    let out = editor.to_vec().unwrap();
    let edited = Message::parse(&out);
    let alt = edited.part(1).unwrap();
    assert_eq!(alt.content_type().essence(), "multipart/alternative");
    let kids: Vec<_> = alt.children().collect();
    assert_eq!(kids[0].text().unwrap(), "t");
    assert_eq!(kids[1].text().unwrap(), "<b>h</b>");
    assert_eq!(edited.parts().len(), 5);
}

#[test]
fn header_edits() {
    let message = Message::parse(MIXED);
    let mut editor = Editor::new(&message);
    editor
        .remove_header(0, "subject")
        .add_header(
            0,
            name("To"),
            "Zoë <zoe@example.org>".parse::<EmailAddress>().unwrap(),
        )
        .set_header(2, name("X-Keep"), "no")
        .set_header(1, name("X-New"), "added");
    let out = editor.to_vec().unwrap();
    let edited = Message::parse(&out);
    let root = edited.root().headers();
    assert!(root.get("subject").is_none());
    let (to, _) = root.get("to").unwrap().addresses();
    assert_eq!(to[0].mailboxes()[0].name.as_deref(), Some("Zoë"));
    assert_eq!(
        edited
            .part(2)
            .unwrap()
            .headers()
            .get("x-keep")
            .unwrap()
            .unstructured(),
        "no"
    );
    assert_eq!(
        edited
            .part(1)
            .unwrap()
            .headers()
            .get("x-new")
            .unwrap()
            .unstructured(),
        "added"
    );
    assert_eq!(&edited.part(2).unwrap().decoded_bytes()[..], &[0u8, 1, 2]);
}

#[test]
fn edit_errors() {
    let message = Message::parse(MIXED);
    let mut editor = Editor::new(&message);
    editor.set_header(9, name("X"), "y");
    assert!(editor.to_vec().is_err());
    let mut editor = Editor::new(&message);
    editor.set_header(0, name("Content-Type"), "text/plain");
    assert!(editor.to_vec().is_err());
    let mut editor = Editor::new(&message);
    editor
        .replace_part(0, Part::text("x"))
        .set_header(1, name("X"), "y");
    assert!(editor.to_vec().is_err(), "overlapping edits");
}

#[test]
fn edits_inside_an_encoded_nested_message() {
    let inner = b"Subject: inner\r\nContent-Type: text/plain\r\n\r\nnested body\r\n";
    let b64 = {
        use base64::Engine as _;
        let mut out = Vec::new();
        out.extend_from_slice(
            base64::engine::general_purpose::STANDARD
                .encode(inner)
                .as_bytes(),
        );
        out
    };
    let mut input = b"Subject: outer\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\
Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    input.extend_from_slice(&b64);
    input.extend_from_slice(b"\r\n");
    let message = Message::parse(&input);
    assert!(matches!(
        message.part(0).unwrap().kind(),
        PartKind::EncodedMessage { .. }
    ));
    let nested = message.part(1).unwrap();
    assert_eq!(
        nested.headers().get("subject").unwrap().unstructured(),
        "inner"
    );
    let mut editor = Editor::new(&message);
    editor.set_header(1, name("Subject"), "changed inside");
    let out = editor.to_vec().unwrap();
    let edited = Message::parse(&out);
    let n = edited.part(1).unwrap();
    assert_eq!(
        n.headers().get("subject").unwrap().unstructured(),
        "changed inside"
    );
    assert_eq!(n.text().unwrap(), "nested body\r\n");
    assert_eq!(
        edited
            .root()
            .headers()
            .get("subject")
            .unwrap()
            .unstructured(),
        "outer"
    );
}
