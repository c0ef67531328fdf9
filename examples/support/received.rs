//! The trace headers a delivering server prepends (RFC 5321 §4.4):
//! `Return-Path:` and `Received:`.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

/// What the `Received:` header records.
pub struct Trace<'a> {
    /// The reverse-path, with its angle brackets (`<>` for none).
    pub from: &'a str,
    /// The name the client gave in `EHLO`/`HELO`.
    pub helo: &'a str,
    /// The client's address.
    pub peer: IpAddr,
    /// This server's name.
    pub by: &'a str,
    /// The software, in the comment after the name.
    pub software: &'a str,
    /// The `with` protocol (RFC 3848, RFC 6531 §3.7.3).
    pub protocol: &'static str,
    /// The queue id.
    pub id: &'a str,
    /// The forward-paths, with angle brackets.
    pub recipients: &'a [String],
}

/// The `with` keyword: `ESMTP`, `+S` under TLS, `+A` after AUTH
/// (RFC 3848); `UTF8SMTP…` for an SMTPUTF8 transaction (RFC 6531
/// §3.7.3); `SMTP` after `HELO`.
pub fn protocol(ehlo: bool, utf8: bool, tls: bool, auth: bool) -> &'static str {
    match (ehlo, utf8, tls, auth) {
        (false, ..) => "SMTP",
        (true, false, false, false) => "ESMTP",
        (true, false, true, false) => "ESMTPS",
        (true, false, false, true) => "ESMTPA",
        (true, false, true, true) => "ESMTPSA",
        (true, true, false, false) => "UTF8SMTP",
        (true, true, true, false) => "UTF8SMTPS",
        (true, true, false, true) => "UTF8SMTPA",
        (true, true, true, true) => "UTF8SMTPSA",
    }
}

impl Trace<'_> {
    /// `Return-Path:` and `Received:`, folded, each ending in CRLF: what
    /// the final delivery prepends.
    pub fn headers(&self, now: SystemTime) -> String {
        format!("Return-Path: {}\r\n{}", self.from, self.received(now))
    }

    /// `Received:` alone, folded, ending in CRLF: what a relay prepends
    /// (the `Return-Path:` is for the final delivery, RFC 5321 §4.4).
    pub fn received(&self, now: SystemTime) -> String {
        let literal = match self.peer {
            IpAddr::V4(a) => format!("[{a}]"),
            IpAddr::V6(a) => format!("[IPv6:{a}]"),
        };
        // RFC 5321 §4.4: "for" names the recipient only when there is one.
        let for_clause = match self.recipients {
            [one] => format!("\r\n\tfor {one}"),
            _ => String::new(),
        };
        format!(
            "Received: from {} ({literal})\r\n\tby {} ({}) with {} id {}{for_clause};\r\n\t{}\r\n",
            clean(self.helo),
            self.by,
            self.software,
            self.protocol,
            self.id,
            date(now),
        )
    }
}

/// How many `Received:` fields the header section of `message` has: the
/// hops it has made (RFC 5321 §6.3).
pub fn hops(message: &[u8]) -> usize {
    let mut count = 0;
    for line in message.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line
            .get(..9)
            .is_some_and(|name| name.eq_ignore_ascii_case(b"received:"))
        {
            count += 1;
        }
    }
    count
}

/// The client's name as it may stand in a header: a `[` literal or a
/// domain, both already free of CR, LF and spaces by the session's
/// validation; parentheses would open a comment, so they go.
fn clean(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '(' | ')' | '\r' | '\n'))
        .collect()
}

/// An RFC 5322 §3.3 `date-time` in UTC: `Thu, 1 Jan 1970 00:00:00 +0000`.
pub fn date(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil(days);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let weekday = DAYS
        .get(usize::try_from(days.rem_euclid(7)).unwrap_or(0))
        .copied()
        .unwrap_or("Thu");
    let month = MONTHS
        .get(usize::try_from(m.saturating_sub(1)).unwrap_or(0))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {d} {month} {y} {:02}:{:02}:{:02} +0000",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Year, month (1–12) and day of the month of a day count since
/// 1970-01-01, in the proleptic Gregorian calendar.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(date(UNIX_EPOCH), "Thu, 1 Jan 1970 00:00:00 +0000");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400 + 3_723); // 2000-02-29
        assert_eq!(date(t), "Tue, 29 Feb 2000 01:02:03 +0000");
    }

    #[test]
    fn hop_count() {
        let m = b"Received: a\r\n\tb\r\nRECEIVED: c\r\nSubject: x\r\n\r\nReceived: body\r\n";
        assert_eq!(hops(m), 2);
        assert_eq!(hops(b"Received: a\nX: y\n\nReceived: b\n"), 1);
        assert_eq!(hops(b""), 0);
    }
}
