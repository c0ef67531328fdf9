//! Dates (RFC 5322 §3.3, §4.3), read tolerantly.

use crate::types::{DateTime, Defect, DefectKind};

use super::lexer::skip_comment;

const FULL_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const FULL_DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// One lexical item of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// Digits: their value (saturating) and how many there were.
    Num { value: u32, digits: usize },
    /// Letters, `start..end`.
    Word { start: usize, end: usize },
    /// Any other byte.
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
struct Item {
    tok: Tok,
    at: usize,
}

fn lex(raw: &[u8]) -> Vec<Item> {
    // A date is about a dozen items: room for them at once.
    let mut out = Vec::with_capacity(16);
    let mut ignored = Vec::new();
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let at = i;
        let tok = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => {
                i = skip_comment(raw, i, &mut ignored);
                continue;
            }
            b'0'..=b'9' => {
                let mut value: u32 = 0;
                while let Some(&d @ b'0'..=b'9') = raw.get(i) {
                    value = value.saturating_mul(10).saturating_add(u32::from(d - b'0'));
                    i += 1;
                }
                Tok::Num {
                    value,
                    digits: i - at,
                }
            }
            _ if b.is_ascii_alphabetic() => {
                while raw.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                Tok::Word { start: at, end: i }
            }
            _ => {
                i += 1;
                Tok::Punct(b)
            }
        };
        out.push(Item { tok, at });
    }
    out
}

/// The index (0-based) of the name `word` abbreviates: `word` is at least
/// three letters and a prefix of the full name, compared ASCII
/// case-insensitively.
fn name_index(word: &[u8], names: &[&str]) -> Option<usize> {
    if word.len() < 3 {
        return None;
    }
    names.iter().position(|n| {
        n.len() >= word.len() && n.as_bytes()[..word.len()].eq_ignore_ascii_case(word)
    })
}

/// The offset, in minutes east of UTC, of a named zone (RFC 5322 §4.3
/// `obs-zone`), `Some(None)` for a zone that carries no information
/// (military zones, unknown names), `None` when `word` is no zone.
fn named_zone(word: &[u8]) -> Option<Option<i16>> {
    const ZONES: [(&str, i16); 12] = [
        ("UT", 0),
        ("UTC", 0),
        ("GMT", 0),
        ("EST", -5),
        ("EDT", -4),
        ("CST", -6),
        ("CDT", -5),
        ("MST", -7),
        ("MDT", -6),
        ("PST", -8),
        ("PDT", -7),
        ("Z", 0),
    ];
    if word.len() == 1 {
        // Military zones: "SHOULD all be considered equivalent to -0000"
        // (RFC 5322 §4.3), their signs having been used inconsistently.
        return Some(None);
    }
    if let Some((_, h)) = ZONES
        .iter()
        .find(|(n, _)| word.eq_ignore_ascii_case(n.as_bytes()))
    {
        return Some(Some(h * 60));
    }
    // Other alphabetic zones "SHOULD be considered equivalent to -0000".
    (word.len() <= 5).then_some(None)
}

/// Decodes a date-time: the body of a Date or Resent-Date field, or the
/// date after the `;` of a Received field.
///
/// ```text
/// date-time   = [ day-of-week "," ] date time [CFWS]   ; RFC 5322 §3.3
/// date        = day month year
/// time        = time-of-day zone
/// time-of-day = hour ":" minute [ ":" second ]
/// zone        = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone  ; §4.3
/// obs-year    = [CFWS] 2*DIGIT [CFWS]
/// obs-zone    = "UT" / "GMT" / "EST" / "EDT" / "CST" / "CDT" / "MST" / "MDT"
///             / "PST" / "PDT" / military letters
/// ```
///
/// - comments and folding anywhere are skipped;
/// - a two-digit year is 20xx below 50, else 19xx, and a three-digit year
///   adds 1900 (RFC 5322 §4.3); four digits are taken as written, so
///   years before 1970 and before 1900 read as they are;
/// - named zones are converted; military zones and unknown zone names mean
///   `-0000` (RFC 5322 §4.3), so does a missing zone
///   ([`DefectKind::MissingZone`]); `-0000` is an offset of `None`;
/// - the day of the week is optional; when it does not match the date,
///   a [`DefectKind::DayOfWeekMismatch`] is recorded and the date kept;
/// - tolerated too: missing seconds, month and day names spelled out or
///   abbreviated (`Sept`, `Thurs`), any case, `.` as time separator, the
///   month before the day and the year after the time (`Fri Nov 21
///   09:55:06 1997`, as `asctime` writes), `GMT+0100`, text after the
///   zone.
///
/// Returns the date with the defects worked around (offsets from the start
/// of `raw`), or a [`DefectKind::InvalidDate`] defect where the value stops
/// being a date, including a day out of its month or a time out of range.
///
/// ```
/// use mailwire_mime::decode::date_time;
/// let d = date_time(b" Thu,\r\n 13 Feb 69 23:32 -0330 (Newfoundland Time)").unwrap();
/// assert_eq!(d.to_rfc3339(), "1969-02-13T23:32:00-03:30");
/// assert!(date_time(b"30 Feb 2001 00:00 +0000").is_err());
/// ```
pub fn date_time(raw: &[u8]) -> Result<DateTime, Defect> {
    date_time_with_defects(raw).map(|(d, _)| d)
}

/// [`date_time`], with the defects it worked around.
///
/// ```
/// use mailwire_mime::decode::date_time_with_defects;
/// use mailwire_mime::types::DefectKind;
/// let (d, defects) = date_time_with_defects(b"Mon, 21 Nov 97 09:55:06 GMT").unwrap();
/// assert_eq!(d.to_rfc3339(), "1997-11-21T09:55:06+00:00");
/// let kinds: Vec<_> = defects.iter().map(|d| d.kind).collect();
/// assert_eq!(
///     kinds,
///     [DefectKind::DayOfWeekMismatch, DefectKind::ObsoleteSyntax, DefectKind::ObsoleteSyntax]
/// );
/// ```
pub fn date_time_with_defects(raw: &[u8]) -> Result<(DateTime, Vec<Defect>), Defect> {
    match quick(raw) {
        Some(d) => Ok((d, Vec::new())),
        None => date_time_full(raw),
    }
}

/// [`date_time_with_defects`] by the general reader, for any input.
#[cold]
#[inline(never)]
fn date_time_full(raw: &[u8]) -> Result<(DateTime, Vec<Defect>), Defect> {
    let toks = lex(raw);
    let mut p = DateParser {
        raw,
        toks: &toks,
        pos: 0,
        defects: Vec::new(),
    };
    let d = p.parse()?;
    Ok((d, p.defects))
}

struct DateParser<'a> {
    raw: &'a [u8],
    toks: &'a [Item],
    pos: usize,
    defects: Vec<Defect>,
}

impl DateParser<'_> {
    fn peek(&self) -> Option<Tok> {
        self.toks.get(self.pos).map(|i| i.tok)
    }

    fn peek_at(&self, k: usize) -> Option<Tok> {
        self.toks.get(self.pos + k).map(|i| i.tok)
    }

    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.raw.len(), |i| i.at)
    }

    fn invalid(&self) -> Defect {
        Defect {
            offset: self.here(),
            kind: DefectKind::InvalidDate,
        }
    }

    fn defect(&mut self, offset: usize, kind: DefectKind) {
        self.defects.push(Defect { offset, kind });
    }

    fn word(&self, tok: Option<Tok>) -> Option<&[u8]> {
        match tok {
            Some(Tok::Word { start, end }) => self.raw.get(start..end),
            _ => None,
        }
    }

    fn num(tok: Option<Tok>) -> Option<(u32, usize)> {
        match tok {
            Some(Tok::Num { value, digits }) => Some((value, digits)),
            _ => None,
        }
    }

    fn punct(&mut self, c: u8) -> bool {
        if self.peek() == Some(Tok::Punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn month(&self, tok: Option<Tok>) -> Option<u8> {
        let i = name_index(self.word(tok)?, &FULL_MONTHS)?;
        u8::try_from(i + 1).ok()
    }

    fn parse(&mut self) -> Result<DateTime, Defect> {
        // [ day-of-week "," ]
        let mut weekday = None;
        if let Some(w) = self.word(self.peek())
            && let Some(d) = name_index(w, &FULL_DAYS)
        {
            weekday = Some((d, self.here()));
            self.pos += 1;
            if !self.punct(b',') {
                self.punct(b'.');
            }
        }
        // day month, or month day.
        let (day, month) = if let (Some((d, _)), Some(m)) =
            (Self::num(self.peek()), self.month(self.peek_at(1)))
        {
            self.pos += 2;
            (d, m)
        } else if let (Some(m), Some((d, _))) =
            (self.month(self.peek()), Self::num(self.peek_at(1)))
        {
            self.pos += 2;
            self.punct(b',');
            (d, m)
        } else {
            return Err(self.invalid());
        };
        // year time, or time year.
        let (year, time) = if self.peek_at(1) == Some(Tok::Punct(b':')) {
            let time = self.time()?;
            (self.year()?, time)
        } else {
            let year = self.year()?;
            (year, self.time()?)
        };
        let offset = self.zone()?;
        if self.pos < self.toks.len() {
            let at = self.here();
            self.defect(at, DefectKind::InvalidSyntax);
        }
        let at = self.toks.first().map_or(0, |i| i.at);
        let day = u8::try_from(day).map_err(|_| self.invalid_at(at))?;
        let d = DateTime::new(year, month, day, time.0, time.1, time.2, offset)
            .map_err(|_| self.invalid_at(at))?;
        if let Some((w, at)) = weekday
            && usize::from(d.weekday()) != w
        {
            self.defect(at, DefectKind::DayOfWeekMismatch);
        }
        self.defects.sort_by_key(|d| d.offset);
        Ok(d)
    }

    fn invalid_at(&self, offset: usize) -> Defect {
        Defect {
            offset,
            kind: DefectKind::InvalidDate,
        }
    }

    /// `year = 4*DIGIT / obs-year` (RFC 5322 §3.3, §4.3).
    fn year(&mut self) -> Result<u16, Defect> {
        let Some((value, digits)) = Self::num(self.peek()) else {
            return Err(self.invalid());
        };
        let at = self.here();
        self.pos += 1;
        let year = match digits {
            1 | 2 if value < 50 => value + 2000,
            1 | 2 => value + 1900,
            3 => value + 1900,
            _ => value,
        };
        if digits < 4 {
            self.defect(at, DefectKind::ObsoleteSyntax);
        }
        u16::try_from(year)
            .ok()
            .filter(|&y| y <= 9999)
            .ok_or_else(|| self.invalid_at(at))
    }

    /// `time-of-day = hour ":" minute [ ":" second ]`.
    fn time(&mut self) -> Result<(u8, u8, u8), Defect> {
        let mut parts = [0u8; 3];
        for (k, part) in parts.iter_mut().enumerate() {
            if k > 0 {
                let sep = self.peek();
                let next_is_num = Self::num(self.peek_at(1)).is_some();
                if !(next_is_num && matches!(sep, Some(Tok::Punct(b':' | b'.')))) {
                    if k == 2 {
                        break;
                    }
                    return Err(self.invalid());
                }
                self.pos += 1;
            }
            match Self::num(self.peek()) {
                Some((v, digits)) if digits <= 2 => {
                    *part = u8::try_from(v).map_err(|_| self.invalid())?;
                    self.pos += 1;
                }
                _ => return Err(self.invalid()),
            }
        }
        Ok((parts[0], parts[1], parts[2]))
    }

    /// `zone = ( "+" / "-" ) 4DIGIT / obs-zone`; `None` for `-0000`.
    fn zone(&mut self) -> Result<Option<i16>, Defect> {
        let at = self.here();
        let mut named = None;
        if let Some(w) = self.word(self.peek())
            && let Some(z) = named_zone(w)
        {
            self.pos += 1;
            named = Some(z);
        }
        if let (Some(Tok::Punct(sign @ (b'+' | b'-'))), Some((v, 4))) =
            (self.peek(), Self::num(self.peek_at(1)))
        {
            self.pos += 2;
            let (h, m) = (v / 100, v % 100);
            if m > 59 {
                return Err(self.invalid_at(at));
            }
            let minutes = i16::try_from(h * 60 + m).map_err(|_| self.invalid_at(at))?;
            if named.is_some() {
                // `GMT+0100`.
                self.defect(at, DefectKind::ObsoleteSyntax);
            }
            return Ok(match (sign, minutes) {
                (b'-', 0) => None,
                (b'-', m) => Some(-m),
                (_, m) => Some(m),
            });
        }
        match named {
            Some(z) => {
                self.defect(at, DefectKind::ObsoleteSyntax);
                Ok(z)
            }
            None => {
                self.defect(at, DefectKind::MissingZone);
                Ok(None)
            }
        }
    }
}

/// The canonical form, `[day-name ","] day month year hour ":" minute
/// [":" second] zone [comment]` with a three-letter day and month name, a
/// four-digit year and a numeric zone, read in one quick pass. Anything
/// else (obsolete forms, a day name that does not match, nested or
/// escaped comments) makes it give up (`None`), and the general reader
/// reads the date; where it answers, the answer is the general reader's.
fn quick(raw: &[u8]) -> Option<DateTime> {
    let mut i = 0;
    let ws = |i: &mut usize| {
        let from = *i;
        while matches!(raw.get(*i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            *i += 1;
        }
        *i > from
    };
    let name = |i: &mut usize, names: &[&str]| {
        let word = raw.get(*i..*i + 3)?;
        if raw.get(*i + 3).is_some_and(u8::is_ascii_alphabetic) {
            return None;
        }
        *i += 3;
        name_index(word, names)
    };
    let number = |i: &mut usize, max_digits: usize| {
        let from = *i;
        let mut value: u16 = 0;
        while let Some(&d @ b'0'..=b'9') = raw.get(*i) {
            if *i - from == max_digits {
                return None;
            }
            value = value * 10 + u16::from(d - b'0');
            *i += 1;
        }
        (*i > from).then_some((value, *i - from))
    };
    ws(&mut i);
    let mut weekday = None;
    if raw.get(i).is_some_and(u8::is_ascii_alphabetic) {
        weekday = Some(name(&mut i, &FULL_DAYS)?);
        if raw.get(i) != Some(&b',') {
            return None;
        }
        i += 1;
        ws(&mut i);
    }
    let (day, _) = number(&mut i, 2)?;
    if !ws(&mut i) {
        return None;
    }
    let month = name(&mut i, &FULL_MONTHS)?;
    if !ws(&mut i) {
        return None;
    }
    let (year, 4) = number(&mut i, 4)? else {
        return None;
    };
    if !ws(&mut i) {
        return None;
    }
    let mut time = [0u8; 3];
    for (k, part) in time.iter_mut().enumerate() {
        if k > 0 {
            if raw.get(i) != Some(&b':') {
                if k == 2 {
                    break;
                }
                return None;
            }
            i += 1;
        }
        *part = u8::try_from(number(&mut i, 2)?.0).ok()?;
    }
    if !ws(&mut i) {
        return None;
    }
    let sign = *raw.get(i).filter(|&&b| b == b'+' || b == b'-')?;
    i += 1;
    let (zone, 4) = number(&mut i, 4)? else {
        return None;
    };
    let (hours, minutes) = (zone / 100, zone % 100);
    if minutes > 59 {
        return None;
    }
    let offset = i16::try_from(hours * 60 + minutes).ok()?;
    let offset = match (sign, offset) {
        (b'-', 0) => None,
        (b'-', m) => Some(-m),
        (_, m) => Some(m),
    };
    ws(&mut i);
    if raw.get(i) == Some(&b'(') {
        let len = raw
            .get(i + 1..)?
            .iter()
            .position(|&b| matches!(b, b'(' | b')' | b'\\'))?;
        if raw.get(i + 1 + len) != Some(&b')') {
            return None;
        }
        i += len + 2;
        ws(&mut i);
    }
    if i < raw.len() {
        return None;
    }
    let d = DateTime::new(
        year,
        u8::try_from(month + 1).ok()?,
        u8::try_from(day).ok()?,
        time[0],
        time[1],
        time[2],
        offset,
    )
    .ok()?;
    match weekday {
        Some(w) if usize::from(d.weekday()) != w => None,
        _ => Some(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::pick;
    use crate::types::MONTH_NAMES;

    fn rfc3339(raw: &str) -> String {
        date_time(raw.as_bytes())
            .map(|d| d.to_rfc3339())
            .unwrap_or_else(|e| format!("error at {}", e.offset))
    }

    fn kinds(raw: &str) -> Vec<DefectKind> {
        date_time_with_defects(raw.as_bytes())
            .unwrap()
            .1
            .into_iter()
            .map(|d| d.kind)
            .collect()
    }

    #[test]
    fn month_names_agree() {
        for (abbr, full) in MONTH_NAMES.iter().zip(FULL_MONTHS) {
            assert!(full.starts_with(&abbr.to_ascii_lowercase()));
        }
    }

    #[test]
    fn rfc5322_appendix_a() {
        // A.1.1, A.1.2, A.1.3, A.2, A.3, A.4, A.5
        assert_eq!(
            rfc3339(" Fri, 21 Nov 1997 09:55:06 -0600"),
            "1997-11-21T09:55:06-06:00"
        );
        assert_eq!(
            rfc3339(" Tue, 1 Jul 2003 10:52:37 +0200"),
            "2003-07-01T10:52:37+02:00"
        );
        assert_eq!(
            rfc3339(" Fri, 21 Nov 1997 10:01:10 -0600"),
            "1997-11-21T10:01:10-06:00"
        );
        assert_eq!(
            rfc3339(" Fri, 21 Nov 1997 11:00:00 -0600"),
            "1997-11-21T11:00:00-06:00"
        );
        assert_eq!(
            rfc3339(" Mon, 24 Nov 1997 14:22:01 -0800"),
            "1997-11-24T14:22:01-08:00"
        );
        assert_eq!(
            rfc3339(" Thu, 13 Feb 1969 23:32:54 -0330"),
            "1969-02-13T23:32:54-03:30"
        );
        assert_eq!(
            rfc3339(
                " Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)"
            ),
            "1969-02-13T23:32:00-03:30"
        );
        assert_eq!(
            rfc3339("  21 Nov 1997 10:05:43 -0600"),
            "1997-11-21T10:05:43-06:00"
        );
        assert_eq!(
            rfc3339(" 21 Nov 97 09:55:06 GMT"),
            "1997-11-21T09:55:06+00:00"
        );
        assert_eq!(
            rfc3339("Mon, 24 Nov 1997 14:22:01 -0800"),
            "1997-11-24T14:22:01-08:00"
        );
        assert!(kinds(" Fri, 21 Nov 1997 09:55:06 -0600").is_empty());
    }

    #[test]
    fn obsolete_years_and_zones() {
        assert_eq!(rfc3339("1 Jan 49 00:00 +0000"), "2049-01-01T00:00:00+00:00");
        assert_eq!(rfc3339("1 Jan 50 00:00 +0000"), "1950-01-01T00:00:00+00:00");
        assert_eq!(rfc3339("1 Jan 00 00:00 +0000"), "2000-01-01T00:00:00+00:00");
        assert_eq!(
            rfc3339("1 Jan 103 00:00 +0000"),
            "2003-01-01T00:00:00+00:00"
        );
        assert_eq!(
            rfc3339("1 Jan 1850 00:00 +0000"),
            "1850-01-01T00:00:00+00:00"
        );
        assert_eq!(
            rfc3339("1 Jan 0097 00:00 +0000"),
            "0097-01-01T00:00:00+00:00"
        );
        for (zone, off) in [
            ("UT", "+00:00"),
            ("GMT", "+00:00"),
            ("EST", "-05:00"),
            ("EDT", "-04:00"),
            ("CST", "-06:00"),
            ("CDT", "-05:00"),
            ("MST", "-07:00"),
            ("MDT", "-06:00"),
            ("PST", "-08:00"),
            ("pdt", "-07:00"),
            ("A", "-00:00"),
            ("Z", "-00:00"),
            ("z", "-00:00"),
            ("CEST", "-00:00"),
        ] {
            assert_eq!(
                rfc3339(&format!("2 Jan 2006 15:04:05 {zone}")),
                format!("2006-01-02T15:04:05{off}"),
                "{zone}"
            );
        }
        assert_eq!(
            rfc3339("2 Jan 2006 15:04:05 -0000"),
            "2006-01-02T15:04:05-00:00"
        );
        assert_eq!(
            rfc3339("2 Jan 2006 15:04:05 +0000"),
            "2006-01-02T15:04:05+00:00"
        );
        assert_eq!(
            rfc3339("2 Jan 2006 15:04:05 GMT+0100"),
            "2006-01-02T15:04:05+01:00"
        );
        assert_eq!(kinds("2 Jan 2006 15:04:05"), [DefectKind::MissingZone]);
        assert_eq!(rfc3339("2 Jan 2006 15:04:05"), "2006-01-02T15:04:05-00:00");
    }

    #[test]
    fn tolerance() {
        assert_eq!(
            rfc3339("Mon Jan  2 15:04:05 2006"),
            "2006-01-02T15:04:05-00:00"
        );
        assert_eq!(
            rfc3339("Monday, 2 January 2006 15.04 +0100"),
            "2006-01-02T15:04:00+01:00"
        );
        assert_eq!(
            rfc3339("thurs, 7 sept 2006 15:04:05 +0100 (CET)"),
            "2006-09-07T15:04:05+01:00"
        );
        assert_eq!(
            rfc3339("Sun, 31 Dec 2006 23:59:60 +0000"),
            "2006-12-31T23:59:60+00:00"
        );
        assert_eq!(
            kinds("Sat, 2 Jan 2006 15:04:05 +0000"),
            [DefectKind::DayOfWeekMismatch]
        );
        assert_eq!(
            kinds("2 Jan 2006 15:04:05 +0000 junk"),
            [DefectKind::InvalidSyntax]
        );
        assert_eq!(
            rfc3339("29 Feb 2000 00:00 +0000"),
            "2000-02-29T00:00:00+00:00"
        );
    }

    #[test]
    fn invalid() {
        for raw in [
            "",
            "garbage",
            "29 Feb 1900 00:00 +0000",
            "31 Apr 2000 00:00 +0000",
            "0 Jan 2000 00:00 +0000",
            "1 Jan 2000 24:00 +0000",
            "1 Jan 2000 12:60 +0000",
            "1 Jan 2000 12:00:61 +0000",
            "1 Jan 10000 12:00 +0000",
            "1 Jan 2000 12 +0000",
            "1 Jan 2000 12:00 +0260",
            "1 Foo 2000 12:00 +0000",
            "1 Jan 2000",
            "99999999999999999999 Jan 2000 12:00 +0000",
        ] {
            let e = date_time(raw.as_bytes()).unwrap_err();
            assert_eq!(e.kind, DefectKind::InvalidDate, "{raw}");
            assert!(e.offset <= raw.len());
        }
    }

    #[test]
    fn render_and_parse_again() {
        for raw in [
            "1 Jan 0001 00:00 -0000",
            "31 Dec 9999 23:59:59 +9959",
            "2 Jan 1850 1:2:3 -0001",
        ] {
            let d = date_time(raw.as_bytes()).unwrap();
            assert_eq!(date_time(d.to_rfc5322().as_bytes()).unwrap(), d);
            assert!(
                date_time_with_defects(d.to_rfc5322().as_bytes())
                    .unwrap()
                    .1
                    .is_empty()
            );
        }
    }

    /// Dates the quick reader must answer, as the general one does.
    #[test]
    fn quick_reader_answers_the_canonical_form() {
        for raw in [
            " Tue, 14 May 2024 09:12:44 +0200 (CEST)",
            "Fri, 21 Nov 1997 09:55:06 -0600",
            " 1 Jan 2000 00:00 -0000",
            "Thu, 13 Feb 1969 23:32:54 -0330\r\n",
            " Sat, 29 Feb 2020 9:5:7 +1400",
        ] {
            let quick = quick(raw.as_bytes()).expect(raw);
            assert_eq!(
                Ok((quick, Vec::new())),
                date_time_full(raw.as_bytes()),
                "{raw}"
            );
        }
        for raw in [
            " Wed, 14 May 2024 09:12:44 +0200",
            " 14 May 24 09:12:44 +0200",
            " 14 May 2024 09:12:44 GMT",
            " Tuesday, 14 May 2024 09:12:44 +0200",
            " 14 May 2024 09:12:44 +0200 ((a) b)",
            " 31 Feb 2024 09:12:44 +0200",
            " 14 May 2024 09:12:44 +0260",
        ] {
            assert_eq!(quick(raw.as_bytes()), None, "{raw}");
        }
    }

    proptest::proptest! {
        /// Dates of the canonical form with some pieces swapped for
        /// unusual ones: where the quick reader answers, the general
        /// reader gives the same answer, with no defect.
        #[test]
        fn quick_reader_agrees_with_the_general_one(
            a in (pick(&["", " ", "Tue, ", "Wed, ", "tue,", "Tue ", "Tues, ", "Sun,  "]),
                pick(&["14", "1", "29", "31", "00", "123", "x"]),
                pick(&[" ", " ", "", "\r\n "]),
                pick(&["May", "feb", "Feb", "Dec", "Mayo", "Ma"]),
                pick(&[" ", " ", ""]),
                pick(&["2024", "1969", "2020", "24", "10000", "0000"])),
            b in (pick(&[" ", " ", ""]),
                pick(&["09:12:44", "9:5", "23:59:60", "24:00:00", "09.12.44", "09:12:", "1:2:3:4"]),
                pick(&[" ", " ", ""]),
                pick(&["+0200", "-0000", "+0000", "-0330", "+9959", "+02", "GMT", "+0260", "z"]),
                pick(&["", " (CEST)", "(a(b))", " (x", " x", "\r\n"])),
        ) {
            let raw = [a.0, a.1, a.2, a.3, a.4, a.5, b.0, b.1, b.2, b.3, b.4].concat();
            if let Some(q) = quick(raw.as_bytes()) {
                proptest::prop_assert_eq!(Ok((q, Vec::new())), date_time_full(raw.as_bytes()));
            }
        }
    }
}
