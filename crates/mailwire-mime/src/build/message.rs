//! The builder for the messages people send, and the stamp that dates and
//! identifies them.

use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::BufMut;

use crate::types::{DateTime, HeaderName, ValueError};

use super::address::{AddressItem, EmailAddress, MsgId};
use super::header::{HeaderValue, MediaType};
use super::part::Part;
use super::{BuildError, Options};

/// When a message was written and where: the `Date` field, and what its
/// `Message-ID` and boundaries are made from. [`Stamp::new`] takes the
/// caller's clock and host (reproducible output); [`Stamp::now`] reads
/// the system clock.
///
/// ```
/// use mailwire_mime::build::Stamp;
/// use mailwire_mime::types::DateTime;
/// let s = Stamp::new(DateTime::new(2024, 1, 2, 3, 4, 5, Some(0))?, "mx.example.org", 42)?;
/// assert_eq!(s.message_id().to_string(), "<s6m5ut.000000000000002a@mx.example.org>");
/// # Ok::<(), mailwire_mime::types::ValueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    date: DateTime,
    host: String,
    unique: u64,
}

impl Stamp {
    /// A stamp from the caller's date, host (the right side of generated
    /// message identifiers: a domain, validated) and a number unique to
    /// this message.
    pub fn new(date: DateTime, host: &str, unique: u64) -> Result<Self, ValueError> {
        MsgId::new(&format!("x@{host}"))?;
        Ok(Self {
            date,
            host: host.to_owned(),
            unique,
        })
    }

    /// A stamp from the system clock (the date in UTC, `+0000`), `host`,
    /// and a number drawn from the process's random hashing keys, the
    /// time and a counter.
    pub fn now(host: &str) -> Result<Self, ValueError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let secs = i64::try_from(since.as_secs()).unwrap_or(0);
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u128(since.as_nanos());
        h.write_u32(std::process::id());
        Self::new(date_from_unix(secs)?, host, h.finish())
    }

    /// The date.
    pub fn date(&self) -> DateTime {
        self.date
    }

    /// The host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The number unique to the message.
    pub fn unique(&self) -> u64 {
        self.unique
    }

    /// `<time.unique@host>`: the date's Unix time in base 36, the unique
    /// number in hexadecimal.
    pub fn message_id(&self) -> MsgId {
        let t = base36(u64::try_from(self.date.unix_timestamp()).unwrap_or(0));
        let id = format!("{t}.{:016x}@{}", self.unique, self.host);
        MsgId::new(&id).unwrap_or_else(|_| self.fallback_id())
    }

    fn fallback_id(&self) -> MsgId {
        MsgId(format!("{:016x}@localhost", self.unique))
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[usize::try_from(n % 36).unwrap_or(0)]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The UTC date-time of a Unix time.
fn date_from_unix(secs: i64) -> Result<DateTime, ValueError> {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Days to civil date (proleptic Gregorian), era-based.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let n = |v: i64, field| u8::try_from(v).map_err(|_| ValueError::OutOfRange { field });
    DateTime::new(
        u16::try_from(year).map_err(|_| ValueError::OutOfRange { field: "year" })?,
        n(month, "month")?,
        n(day, "day")?,
        n(rem / 3600, "hour")?,
        n(rem / 60 % 60, "minute")?,
        n(rem % 60, "second")?,
        Some(0),
    )
}

/// Builds the messages people send, laid out from what was added:
///
/// | added | body |
/// |---|---|
/// | text | `text/plain` |
/// | HTML | `text/html` |
/// | text and HTML | `multipart/alternative` of both |
/// | inline parts | `multipart/related` of the HTML (or text) and the inline parts |
/// | attachments | `multipart/mixed` of the above and the attachments |
///
/// With both text and inline parts and HTML, the inline parts go beside
/// the HTML: `alternative(text, related(html, inline…))`. The header
/// section holds, in order: Date, From, Sender, Reply-To, To, Cc, Bcc,
/// Subject, Message-ID, In-Reply-To, References, the extra fields,
/// MIME-Version and the `Content-*` fields. Bcc is written only with
/// [`Options::write_bcc`] (and never by [`Self::build`]): a message sent
/// to several recipients must not reveal the blind copies.
///
/// Without a [`Stamp`], one is made with [`Stamp::now`] for the domain of
/// the first From address (`localhost` without one).
#[derive(Debug, Default)]
pub struct MessageBuilder {
    from: Vec<AddressItem>,
    sender: Option<EmailAddress>,
    reply_to: Vec<AddressItem>,
    to: Vec<AddressItem>,
    cc: Vec<AddressItem>,
    bcc: Vec<AddressItem>,
    subject: Option<String>,
    date: Option<DateTime>,
    message_id: Option<MsgId>,
    in_reply_to: Vec<MsgId>,
    references: Vec<MsgId>,
    headers: Vec<(HeaderName<'static>, HeaderValue)>,
    text: Option<String>,
    html: Option<String>,
    inline: Vec<Part>,
    attachments: Vec<Part>,
    stamp: Option<Stamp>,
}

impl MessageBuilder {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a From address.
    pub fn from(mut self, address: impl Into<AddressItem>) -> Self {
        self.from.push(address.into());
        self
    }

    /// Sets the Sender.
    pub fn sender(mut self, address: EmailAddress) -> Self {
        self.sender = Some(address);
        self
    }

    /// Adds a Reply-To address.
    pub fn reply_to(mut self, address: impl Into<AddressItem>) -> Self {
        self.reply_to.push(address.into());
        self
    }

    /// Adds a To address or group.
    pub fn to(mut self, address: impl Into<AddressItem>) -> Self {
        self.to.push(address.into());
        self
    }

    /// Adds a Cc address or group.
    pub fn cc(mut self, address: impl Into<AddressItem>) -> Self {
        self.cc.push(address.into());
        self
    }

    /// Adds a Bcc address or group.
    pub fn bcc(mut self, address: impl Into<AddressItem>) -> Self {
        self.bcc.push(address.into());
        self
    }

    /// Sets the Subject (any text).
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the Date (else the stamp's).
    pub fn date(mut self, date: DateTime) -> Self {
        self.date = Some(date);
        self
    }

    /// Sets the Message-ID (else the stamp's).
    pub fn message_id(mut self, id: MsgId) -> Self {
        self.message_id = Some(id);
        self
    }

    /// Adds an In-Reply-To identifier.
    pub fn in_reply_to(mut self, id: MsgId) -> Self {
        self.in_reply_to.push(id);
        self
    }

    /// Adds a References identifier.
    pub fn references(mut self, id: MsgId) -> Self {
        self.references.push(id);
        self
    }

    /// Adds any other header field (the `Content-*` fields and
    /// MIME-Version are the writer's).
    pub fn header(mut self, name: HeaderName<'static>, value: impl Into<HeaderValue>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the plain text body.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets the HTML body.
    pub fn html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }

    /// Adds an inline part shown by the HTML as `cid:` + `id`
    /// (RFC 2392), such as an image.
    pub fn inline(self, id: MsgId, media_type: MediaType, data: impl Into<bytes::Bytes>) -> Self {
        let part = Part::bytes(media_type, data).inline(None).content_id(id);
        self.inline_part(part)
    }

    /// Adds any part to the `multipart/related` beside the HTML.
    pub fn inline_part(mut self, part: Part) -> Self {
        self.inline.push(part);
        self
    }

    /// Adds an attachment; without a media type, one is guessed from the
    /// file name's extension (`application/octet-stream` when unknown).
    pub fn attach(
        self,
        filename: &str,
        media_type: Option<MediaType>,
        data: impl Into<bytes::Bytes>,
    ) -> Self {
        let mt = media_type.unwrap_or_else(|| guess(filename));
        self.attach_part(Part::bytes(mt, data).attachment(Some(filename)))
    }

    /// Adds an attachment read from `reader` when the message is written,
    /// in base64.
    pub fn attach_reader(
        self,
        filename: &str,
        media_type: Option<MediaType>,
        reader: impl Read + Send + 'static,
    ) -> Self {
        let mt = media_type.unwrap_or_else(|| guess(filename));
        self.attach_part(Part::reader(mt, reader).attachment(Some(filename)))
    }

    /// Adds a message to forward, as `message/rfc822`.
    pub fn forward(self, message: Part) -> Self {
        self.attach_part(Part::message(message).inline(None))
    }

    /// Adds any part to the `multipart/mixed`.
    pub fn attach_part(mut self, part: Part) -> Self {
        self.attachments.push(part);
        self
    }

    /// Sets the stamp that dates and identifies the message.
    pub fn stamp(mut self, stamp: Stamp) -> Self {
        self.stamp = Some(stamp);
        self
    }

    /// The message as a [`Part`] tree, to write or to change further.
    /// Bcc is left out.
    pub fn build(self) -> Result<Part, BuildError> {
        Ok(self.build_with_stamp(false)?.0)
    }

    fn build_with_stamp(self, write_bcc: bool) -> Result<(Part, Stamp), BuildError> {
        let stamp = match self.stamp {
            Some(s) => s,
            None => {
                let host = self
                    .from
                    .iter()
                    .find_map(|a| match a {
                        AddressItem::Mailbox(m) => Some(m.domain().to_owned()),
                        AddressItem::Group(g) => g.members().first().map(|m| m.domain().to_owned()),
                    })
                    .filter(|d| d.is_ascii())
                    .unwrap_or_else(|| "localhost".to_owned());
                Stamp::now(&host).or_else(|_| Stamp::now("localhost"))?
            }
        };
        let mp = |sub: &str, parts: Vec<Part>| Part::multipart(sub, parts);
        let with_inline = |main: Part, inline: Vec<Part>| {
            if inline.is_empty() {
                Ok(main)
            } else {
                let mut parts = vec![main];
                parts.extend(inline);
                mp("related", parts)
            }
        };
        let body = match (self.text, self.html) {
            (Some(t), Some(h)) => Some(mp(
                "alternative",
                vec![Part::text(t), with_inline(Part::html(h), self.inline)?],
            )?),
            (None, Some(h)) => Some(with_inline(Part::html(h), self.inline)?),
            (Some(t), None) => Some(with_inline(Part::text(t), self.inline)?),
            (None, None) if self.inline.is_empty() && !self.attachments.is_empty() => None,
            (None, None) => Some(with_inline(Part::text(""), self.inline)?),
        };
        let mut root = if self.attachments.is_empty() {
            body.unwrap_or_else(|| Part::text(""))
        } else {
            let mut parts: Vec<Part> = body.into_iter().collect();
            parts.extend(self.attachments);
            mp("mixed", parts)?
        };
        let name = HeaderName::new;
        let mut fields: Vec<(HeaderName<'static>, HeaderValue)> = Vec::new();
        fields.push((
            name("Date")?,
            HeaderValue::Date(self.date.unwrap_or(stamp.date)),
        ));
        let lists = [
            ("From", self.from),
            (
                "Sender",
                self.sender.map(AddressItem::Mailbox).into_iter().collect(),
            ),
            ("Reply-To", self.reply_to),
            ("To", self.to),
            ("Cc", self.cc),
            ("Bcc", if write_bcc { self.bcc } else { Vec::new() }),
        ];
        for (n, list) in lists {
            if !list.is_empty() {
                fields.push((name(n)?, HeaderValue::Addresses(list)));
            }
        }
        if let Some(s) = self.subject {
            fields.push((name("Subject")?, HeaderValue::Text(s)));
        }
        fields.push((
            name("Message-ID")?,
            HeaderValue::MessageIds(vec![self.message_id.unwrap_or_else(|| stamp.message_id())]),
        ));
        for (n, ids) in [
            ("In-Reply-To", self.in_reply_to),
            ("References", self.references),
        ] {
            if !ids.is_empty() {
                fields.push((name(n)?, HeaderValue::MessageIds(ids)));
            }
        }
        fields.extend(self.headers);
        for (n, v) in fields {
            root = root.header(n, v);
        }
        Ok((root, stamp))
    }

    fn options(options: &Options, stamp: &Stamp) -> Options {
        Options {
            seed: options.seed ^ stamp.unique,
            ..*options
        }
    }

    /// Writes the message to `out`, streaming attachments from their
    /// readers.
    pub fn write_to<W: Write>(self, options: &Options, out: W) -> Result<(), BuildError> {
        let (part, stamp) = self.build_with_stamp(options.write_bcc)?;
        part.write_to(&Self::options(options, &stamp), out)
    }

    /// Writes the message into a caller's buffer.
    pub fn encode<B: BufMut>(self, options: &Options, out: &mut B) -> Result<(), BuildError> {
        let (part, stamp) = self.build_with_stamp(options.write_bcc)?;
        part.encode(&Self::options(options, &stamp), out)
    }

    /// The message in a new vector.
    pub fn to_vec(self, options: &Options) -> Result<Vec<u8>, BuildError> {
        let (part, stamp) = self.build_with_stamp(options.write_bcc)?;
        part.to_vec(&Self::options(options, &stamp))
    }
}

/// A media type from a file name's extension.
fn guess(filename: &str) -> MediaType {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let essence = match ext.as_str() {
        "txt" | "text" => "text/plain",
        "html" | "htm" => "text/html",
        "csv" => "text/csv",
        "ics" => "text/calendar",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "json" => "application/json",
        "eml" => "message/rfc822",
        _ => "application/octet-stream",
    };
    if essence == "message/rfc822" {
        // Octets are not a nested message part; written as a file.
        return MediaType::octet_stream();
    }
    MediaType::parse(essence).unwrap_or_else(|_| MediaType::octet_stream())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_dates() {
        assert_eq!(
            date_from_unix(0).unwrap().to_rfc3339(),
            "1970-01-01T00:00:00+00:00"
        );
        assert_eq!(
            date_from_unix(951_782_400).unwrap().to_rfc3339(),
            "2000-02-29T00:00:00+00:00"
        );
        for t in [1, 86_399, 1_700_000_000, 4_102_444_800] {
            assert_eq!(date_from_unix(t).unwrap().unix_timestamp(), t);
        }
    }

    #[test]
    fn stamps() {
        let s = Stamp::now("example.org").unwrap();
        let t = Stamp::now("example.org").unwrap();
        assert_ne!(s.unique(), t.unique());
        assert!(Stamp::now("bad host").is_err());
        assert_eq!(base36(35), "z");
    }
}
