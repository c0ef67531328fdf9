//! Composes a message with mailwire-mime's builder and prints it.
//!
//! ```text
//! cargo run --example compose -- --from 'Andréa <a@example.org>' --to b@example.com \
//!     --subject 'Café?' --text body.txt --html body.html --attach report.pdf notes.txt \
//!     --inline logo.png
//! ```
//!
//! `--attach` and `--inline` take one or more files (or repeat the flag).
//! Each inline file gets the Content-ID `<FILE-NAME@compose>`, for the HTML
//! to show as `cid:FILE-NAME@compose`. Attachments are streamed from their
//! files while the message is written.

#[path = "support/mod.rs"]
mod support;

use std::fs::File;
use std::io::Write;

use mailwire_mime::build::{EmailAddress, MediaType, MessageBuilder, MsgId, Options};

const USAGE: &str = "usage: compose --from ADDR --to ADDR [--to ADDR…] [--cc ADDR…] --subject TEXT
               [--text FILE] [--html FILE] [--attach FILE…] [--inline FILE…]
               [--8bit] [--utf8-headers]";

/// Options that take several values after one flag.
const MULTI: &[&str] = &["--attach", "--inline"];

/// `--attach a b --inline c` becomes `--attach a --attach b --inline c`.
fn expand(args: impl Iterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut multi: Option<String> = None;
    let mut took_value = false;
    for arg in args {
        if arg.starts_with("--") {
            multi = MULTI.contains(&arg.as_str()).then(|| arg.clone());
            took_value = false;
        } else if let Some(flag) = &multi {
            if took_value {
                out.push(flag.clone());
            }
            took_value = true;
        }
        out.push(arg);
    }
    out
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn main() {
    let args = support::args::Args::parse_from(
        USAGE,
        &[
            "from", "to", "cc", "subject", "text", "html", "attach", "inline",
        ],
        &["8bit", "utf8-headers"],
        expand(std::env::args().skip(1)),
    );
    let address = |s: &str| -> EmailAddress {
        s.parse()
            .unwrap_or_else(|e| args.fail(&format!("address {s:?}: {e}")))
    };
    let read = |path: &str| -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| args.fail(&format!("{path}: {e}")))
    };
    let mut b = MessageBuilder::new()
        .from(address(args.required("from")))
        .subject(args.required("subject"));
    for to in args.all("to") {
        b = b.to(address(to));
    }
    if args.all("to").is_empty() {
        args.fail("--to is required");
    }
    for cc in args.all("cc") {
        b = b.cc(address(cc));
    }
    if let Some(path) = args.get("text") {
        b = b.text(read(path));
    }
    if let Some(path) = args.get("html") {
        b = b.html(read(path));
    }
    for path in args.all("inline") {
        let data = std::fs::read(path).unwrap_or_else(|e| args.fail(&format!("{path}: {e}")));
        let name = file_name(path);
        let cid = MsgId::new(&format!("{}@compose", name.replace(' ', "_")))
            .unwrap_or_else(|e| args.fail(&format!("{path}: {e}")));
        let mt = guess(name);
        b = b.inline_part(
            mailwire_mime::build::Part::bytes(mt, data)
                .inline(Some(name))
                .content_id(cid),
        );
    }
    for path in args.all("attach") {
        let file = File::open(path).unwrap_or_else(|e| args.fail(&format!("{path}: {e}")));
        b = b.attach_reader(file_name(path), None, file);
    }
    let options = Options::default()
        .with_8bit(args.flag("8bit"))
        .with_utf8_headers(args.flag("utf8-headers"));
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Err(e) = b
        .write_to(&options, &mut out)
        .and_then(|()| out.flush().map_err(mailwire_mime::build::BuildError::Io))
    {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// A media type for an inline file, from its extension.
fn guess(name: &str) -> MediaType {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let essence = match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg") => "image/svg+xml",
        Some("webp") => "image/webp",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    };
    MediaType::parse(essence).unwrap_or_else(|_| MediaType::octet_stream())
}
