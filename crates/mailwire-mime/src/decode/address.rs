//! Address lists (RFC 5322 §3.4, §4.4), read tolerantly.

use crate::types::{Address, Defect, DefectKind, Group, Mailbox};

use super::lexer::{TokKind, Token, lex};
use super::words::{decode_text, is_encoded_word};

/// Decodes an address list: the body of a From, To, Cc, Bcc, Reply-To,
/// Sender or Resent-* field.
///
/// ```text
/// address-list = (address *("," address)) / obs-addr-list    ; RFC 5322 §3.4, §4.4
/// address      = mailbox / group
/// mailbox      = name-addr / addr-spec
/// name-addr    = [display-name] angle-addr
/// angle-addr   = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr
/// obs-angle-addr = [CFWS] "<" obs-route addr-spec ">" [CFWS]
/// group        = display-name ":" [group-list] ";" [CFWS]
/// display-name = phrase                                        ; words, obs-phrase
/// addr-spec    = local-part "@" domain                         ; RFC 5322 §3.4.1
/// ```
///
/// - display names: quoted strings unescaped, RFC 2047 encoded words
///   decoded (RFC 2047 §5(3)), adjacent words in one charset joined at
///   byte level, raw UTF-8 kept (RFC 6532), words separated by one space;
/// - comments are skipped, however deeply nested (they are counted, not
///   recursed into);
/// - obsolete syntax is normalised: routes stripped, comments and folding
///   between the dots of local parts and domains removed, periods in
///   display names kept, empty list elements skipped;
/// - real-world breakage is worked around and recorded as a defect: a
///   missing `>` or `;`, a display name before a bare address
///   (`John Doe john@example.org`), an unquoted comma in a display name
///   (`Doe, John <jd@example.org>`: when a list element made of words only
///   is followed by a named angle address, the two are one mailbox), a
///   `;` used as a list separator, text after `>`, an address without
///   `@domain` (kept with an empty domain).
///
/// Defect offsets count from the start of `raw`. Never fails; the cost is
/// linear in the input.
///
/// ```
/// use mailwire_mime::decode::address_list;
/// use mailwire_mime::types::{Address, Mailbox};
///
/// let (list, defects) = address_list(
///     b" =?utf-8?q?Andr=C3=A9?= <andre@example.org>, Team: a@example.org;",
/// );
/// assert!(defects.is_empty());
/// assert_eq!(list[0].mailboxes()[0].name.as_deref(), Some("André"));
/// let Address::Group(team) = &list[1] else { panic!() };
/// assert_eq!(team.name, "Team");
/// assert_eq!(team.members[0].addr_spec(), "a@example.org");
/// ```
pub fn address_list(raw: &[u8]) -> (Vec<Address>, Vec<Defect>) {
    match quick::address_list(raw) {
        Some(list) => (list, Vec::new()),
        None => address_list_full(raw),
    }
}

/// [`address_list`] by the general reader, for any input.
#[cold]
#[inline(never)]
fn address_list_full(raw: &[u8]) -> (Vec<Address>, Vec<Defect>) {
    let mut defects = Vec::new();
    let toks = lex(raw, &mut defects);
    let mut p = Parser {
        raw,
        toks: &toks,
        defects,
    };
    let out = p.list();
    let mut defects = p.defects;
    defects.sort_by_key(|d| d.offset);
    (out, defects)
}

struct Parser<'a> {
    raw: &'a [u8],
    toks: &'a [Token],
    defects: Vec<Defect>,
}

impl Parser<'_> {
    fn defect(&mut self, offset: usize, kind: DefectKind) {
        self.defects.push(Defect { offset, kind });
    }

    fn offset_of(&self, i: usize) -> usize {
        self.toks.get(i).map_or(self.raw.len(), |t| t.start)
    }

    /// The index of the first token at or after `from` that is one of
    /// `stops`, or the end.
    fn find(&self, from: usize, stops: &[u8]) -> usize {
        self.toks
            .get(from..)
            .and_then(|rest| {
                rest.iter()
                    .position(|t| t.special().is_some_and(|c| stops.contains(&c)))
            })
            .map_or(self.toks.len(), |p| from + p)
    }

    fn list(&mut self) -> Vec<Address> {
        let toks = self.toks;
        let mut out = Vec::new();
        let mut group: Option<Group> = None;
        let mut i = 0;
        while let Some(t) = toks.get(i) {
            match t.special() {
                Some(b',') => {
                    i += 1;
                    continue;
                }
                Some(b';') => {
                    match group.take() {
                        Some(g) => out.push(Address::Group(g)),
                        None => self.defect(t.start, DefectKind::UnquotedSpecial),
                    }
                    i += 1;
                    continue;
                }
                _ => {}
            }
            let mut j = self.find(i, b",;:<");
            match toks.get(j).and_then(Token::special) {
                Some(b':') => {
                    if group.is_some() {
                        self.defect(toks[j].start, DefectKind::InvalidSyntax);
                    } else {
                        group = Some(Group {
                            name: self.phrase(i, j),
                            members: Vec::new(),
                        });
                    }
                    i = j + 1;
                    continue;
                }
                Some(b',') if self.words_only(i, j) => {
                    // `Doe, John <jd@example.org>`: one mailbox whose name
                    // holds an unquoted comma.
                    let next = self.find(j + 1, b",;:<");
                    if next > j + 1 && toks.get(next).is_some_and(|t| t.is(b'<')) {
                        j = next;
                    }
                }
                _ => {}
            }
            let (mailbox, next) = if toks.get(j).is_some_and(|t| t.is(b'<')) {
                self.name_addr(i, j)
            } else {
                (self.bare(i, j), j)
            };
            match &mut group {
                Some(g) => g.members.push(mailbox),
                None => out.push(Address::Mailbox(mailbox)),
            }
            i = next;
        }
        if let Some(g) = group {
            self.defect(self.raw.len(), DefectKind::Unterminated { expected: ';' });
            out.push(Address::Group(g));
        }
        out
    }

    /// True when `toks[from..to]` is not empty and holds only words and
    /// periods: a display name, and no address.
    fn words_only(&self, from: usize, to: usize) -> bool {
        let words = self.toks.get(from..to).unwrap_or_default();
        !words.is_empty()
            && words.iter().all(|t| {
                matches!(
                    t.kind,
                    TokKind::Atom | TokKind::Quoted(_) | TokKind::Special(b'.')
                )
            })
    }

    /// `[display-name] angle-addr`, the name in `toks[from..lt]` and `<`
    /// at `lt`. Returns the mailbox and the index where the next element
    /// starts.
    fn name_addr(&mut self, from: usize, lt: usize) -> (Mailbox, usize) {
        let toks = self.toks;
        let name = self.phrase(from, lt);
        // The closing `>`. A route (`<@a,@b:`) may hold commas.
        let route = toks.get(lt + 1).is_some_and(|t| t.is(b'@'));
        let mut in_route = route;
        let mut k = lt + 1;
        let mut closed = false;
        while let Some(t) = toks.get(k) {
            match t.special() {
                Some(b'>') => {
                    closed = true;
                    break;
                }
                Some(b':') => in_route = false,
                Some(b',') if in_route => {}
                Some(b',' | b';' | b'<') => break,
                _ => {}
            }
            k += 1;
        }
        if !closed {
            let at = self.offset_of(k);
            self.defect(at, DefectKind::Unterminated { expected: '>' });
        }
        let mut inner = lt + 1;
        if let Some(colon) = (inner..k).rev().find(|&m| toks[m].is(b':')) {
            let kind = if route {
                DefectKind::ObsoleteSyntax
            } else {
                DefectKind::InvalidSyntax
            };
            self.defect(toks[inner].start, kind);
            inner = colon + 1;
        }
        let (local, domain) = self.addr_spec(inner, k);
        let mut next = if closed { k + 1 } else { k };
        // Text after `>`, before the next element.
        let end = self.find(next, b",;<");
        if end > next {
            let at = self.offset_of(next);
            self.defect(at, DefectKind::InvalidSyntax);
            next = end;
        }
        let mailbox = Mailbox {
            name: Some(name).filter(|n| !n.is_empty()),
            local,
            domain,
        };
        (mailbox, next)
    }

    /// An element without angle brackets, `toks[from..to]`: an `addr-spec`,
    /// maybe after a display name, or a lone word.
    fn bare(&mut self, from: usize, to: usize) -> Mailbox {
        let toks = self.toks;
        let Some(at) = (from..to).rev().find(|&m| toks[m].is(b'@')) else {
            let local = self.join(from, to);
            self.defect(toks[from].start, DefectKind::MissingDomain);
            return Mailbox {
                name: None,
                local,
                domain: String::new(),
            };
        };
        // Tokens `m - 1` and `m` belong to the same addr-spec when nothing
        // separates them, or when the separation is obsolete CFWS next to
        // a period or an `@`.
        let linked = |m: usize| {
            let (a, b) = (&toks[m - 1], &toks[m]);
            !b.ws_before || a.is(b'.') || b.is(b'.') || a.is(b'@') || b.is(b'@')
        };
        let mut start = at;
        while start > from && linked(start) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < to && linked(end) {
            end += 1;
        }
        let name = if start > from {
            self.defect(toks[from].start, DefectKind::MissingAngleBrackets);
            Some(self.phrase(from, start)).filter(|n| !n.is_empty())
        } else {
            None
        };
        if end < to {
            self.defect(toks[end].start, DefectKind::InvalidSyntax);
        }
        let (local, domain) = self.addr_spec(start, end);
        Mailbox {
            name,
            local,
            domain,
        }
    }

    /// `addr-spec = local-part "@" domain` in `toks[from..to]`, split at
    /// the last `@`.
    fn addr_spec(&mut self, from: usize, to: usize) -> (String, String) {
        let toks = self.toks;
        match (from..to).rev().find(|&m| toks[m].is(b'@')) {
            Some(at) => {
                let local = self.join(from, at);
                let domain = self.join(at + 1, to);
                if domain.is_empty() {
                    self.defect(toks[at].start, DefectKind::MissingDomain);
                }
                (local, domain)
            }
            None => {
                let local = self.join(from, to);
                if !local.is_empty() {
                    let at = self.offset_of(from);
                    self.defect(at, DefectKind::MissingDomain);
                }
                (local, String::new())
            }
        }
    }

    /// A local part or domain (RFC 5322 §3.4.1, with `obs-local-part` and
    /// `obs-domain` of §4.4): the tokens' text joined, quoted strings
    /// unquoted, white space and comments next to periods dropped. Words
    /// separated by white space alone keep one space, as written.
    fn join(&mut self, from: usize, to: usize) -> String {
        let toks = self.toks.get(from..to).unwrap_or_default();
        // Usually dot-separated atoms without white space: the text as
        // written, taken at once.
        let plain = toks.iter().enumerate().all(|(k, t)| {
            (k == 0 || !t.ws_before) && matches!(t.kind, TokKind::Atom | TokKind::Special(b'.'))
        });
        if let (true, Some(first), Some(last)) = (plain, toks.first(), toks.last()) {
            let text = self.raw.get(first.start..last.end).unwrap_or_default();
            return String::from_utf8_lossy(text).into_owned();
        }
        let mut out = String::new();
        let mut obsolete = None;
        for (k, t) in toks.iter().enumerate() {
            if k > 0 && t.ws_before {
                let prev_dot = toks[k - 1].is(b'.');
                if prev_dot || t.is(b'.') {
                    obsolete.get_or_insert(t.start);
                } else {
                    out.push(' ');
                    self.defect(t.start, DefectKind::InvalidSyntax);
                }
            }
            match &t.kind {
                TokKind::Atom => out.push_str(&String::from_utf8_lossy(&self.raw[t.start..t.end])),
                TokKind::Quoted(q) => {
                    if k > 0 || toks.len() > 1 {
                        obsolete.get_or_insert(t.start);
                    }
                    out.push_str(&String::from_utf8_lossy(q));
                }
                TokKind::Literal(l) => out.push_str(&String::from_utf8_lossy(l)),
                TokKind::Special(c) => {
                    if *c != b'.' {
                        self.defect(t.start, DefectKind::UnquotedSpecial);
                    }
                    out.push(char::from(*c));
                }
            }
        }
        if let Some(at) = obsolete {
            self.defect(at, DefectKind::ObsoleteSyntax);
        }
        out
    }

    /// A display name (`phrase`, RFC 5322 §3.2.5 and `obs-phrase` §4.1) in
    /// `toks[from..to]`, decoded: see [`address_list`].
    fn phrase(&mut self, from: usize, to: usize) -> String {
        phrase(
            self.raw,
            self.toks.get(from..to).unwrap_or_default(),
            &mut self.defects,
        )
    }
}

/// Renders the tokens of a phrase as text: words joined by one space
/// where white space separated them, quoted strings unquoted, RFC 2047
/// encoded words decoded (runs of adjacent ones together, so that their
/// octets join before charset conversion).
pub(crate) fn phrase(raw: &[u8], toks: &[Token], defects: &mut Vec<Defect>) -> String {
    let mut out = String::new();
    let mut k = 0;
    while let Some(t) = toks.get(k) {
        if k > 0 && t.ws_before {
            out.push(' ');
        }
        k += 1;
        match &t.kind {
            TokKind::Atom => {
                let text = &raw[t.start..t.end];
                if !is_encoded_word(text) {
                    out.push_str(&decode_text(text));
                    continue;
                }
                // A run of encoded words separated by white space only.
                let mut joined: Vec<u8> = text.to_vec();
                while let Some(n) = toks.get(k) {
                    let next = &raw[n.start..n.end];
                    if n.kind != TokKind::Atom || !is_encoded_word(next) {
                        break;
                    }
                    joined.push(b' ');
                    joined.extend_from_slice(next);
                    k += 1;
                }
                out.push_str(&decode_text(&joined));
            }
            TokKind::Quoted(q) => {
                let text = decode_text(q);
                if memchr::memmem::find(q, b"=?").is_some() && text != String::from_utf8_lossy(q) {
                    defects.push(Defect {
                        offset: t.start,
                        kind: DefectKind::EncodedWordInQuotedString,
                    });
                }
                out.push_str(&text);
            }
            TokKind::Literal(l) => {
                defects.push(Defect {
                    offset: t.start,
                    kind: DefectKind::UnquotedSpecial,
                });
                out.push_str(&String::from_utf8_lossy(l));
            }
            TokKind::Special(c) => {
                let kind = if *c == b'.' {
                    DefectKind::ObsoleteSyntax
                } else {
                    DefectKind::UnquotedSpecial
                };
                defects.push(Defect {
                    offset: t.start,
                    kind,
                });
                out.push(char::from(*c));
            }
        }
    }
    out
}

/// The usual shapes of an address list, read in one quick pass: mailboxes
/// `local@domain`, `<local@domain>`, `Display Name <local@domain>` and
/// `"Display Name" <local@domain>`, dot-atoms without white space inside,
/// separated by commas. Anything else (comments, groups, quoted pairs,
/// encoded words, folding inside a name, obsolete forms, defects of any
/// kind) makes it give up (`None`), and the general reader reads the list;
/// where it answers, the answer is the general reader's.
mod quick {
    use super::super::lexer::{ENDS_ATOM, skip_blank as skip_ws};
    use crate::types::{Address, Mailbox};

    /// An atom at `i` without an encoded-word start in it: its end.
    fn atom(raw: &[u8], i: usize) -> Option<usize> {
        let mut end = i;
        let mut equals = false;
        while let Some(&b) = raw.get(end) {
            if ENDS_ATOM[usize::from(b)] {
                break;
            }
            equals |= b == b'=';
            end += 1;
        }
        let word = raw.get(i..end)?;
        (end > i && !(equals && word.windows(2).any(|w| w == b"=?"))).then_some(end)
    }

    /// `dot-atom-text` at `i`: its end.
    fn dot_atom(raw: &[u8], mut i: usize) -> Option<usize> {
        loop {
            i = atom(raw, i)?;
            if raw.get(i) != Some(&b'.') {
                return Some(i);
            }
            i += 1;
        }
    }

    /// `dot-atom "@" dot-atom` at `i`: the local part, the domain, the end.
    fn addr_spec(raw: &[u8], text: &str, i: usize) -> Option<(String, String, usize)> {
        let at = dot_atom(raw, i)?;
        if raw.get(at) != Some(&b'@') {
            return None;
        }
        let end = dot_atom(raw, at + 1)?;
        Some((
            text.get(i..at)?.to_owned(),
            text.get(at + 1..end)?.to_owned(),
            end,
        ))
    }

    /// A display name of atoms and plain quoted strings at `i`, up to the
    /// `<` it must end at: the name and the offset of the `<`.
    fn display_name(raw: &[u8], text: &str, mut i: usize) -> Option<(String, usize)> {
        let mut name = String::new();
        let mut first = true;
        loop {
            let ws = i;
            i = skip_ws(raw, i)?;
            let spaced = i > ws;
            let (start, end, next) = match raw.get(i)? {
                b'<' => return Some((name, i)),
                b'"' => {
                    let len = raw
                        .get(i + 1..)?
                        .iter()
                        .position(|&b| matches!(b, b'"' | b'\\' | b'\r' | b'\n'))?;
                    let close = i + 1 + len;
                    if raw.get(close) != Some(&b'"')
                        || raw.get(i + 1..close)?.windows(2).any(|w| w == b"=?")
                    {
                        return None;
                    }
                    (i + 1, close, close + 1)
                }
                _ => {
                    let end = atom(raw, i)?;
                    (i, end, end)
                }
            };
            if spaced && !first {
                name.push(' ');
            }
            name.push_str(text.get(start..end)?);
            first = false;
            i = next;
        }
    }

    /// One mailbox at `i`: it and its end.
    fn mailbox(raw: &[u8], text: &str, i: usize) -> Option<(Mailbox, usize)> {
        if raw.get(i) != Some(&b'<')
            && let Some((local, domain, end)) = addr_spec(raw, text, i)
        {
            let mailbox = Mailbox {
                name: None,
                local,
                domain,
            };
            return Some((mailbox, end));
        }
        let (name, lt) = display_name(raw, text, i)?;
        let (local, domain, end) = addr_spec(raw, text, lt + 1)?;
        if raw.get(end) != Some(&b'>') {
            return None;
        }
        let mailbox = Mailbox {
            name: Some(name).filter(|n| !n.is_empty()),
            local,
            domain,
        };
        Some((mailbox, end + 1))
    }

    pub(super) fn address_list(raw: &[u8]) -> Option<Vec<Address>> {
        let text = std::str::from_utf8(raw).ok()?;
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            i = skip_ws(raw, i)?;
            match raw.get(i) {
                None => break,
                Some(b',') => {
                    i += 1;
                    continue;
                }
                Some(_) => {}
            }
            let (mailbox, end) = mailbox(raw, text, i)?;
            out.push(Address::Mailbox(mailbox));
            i = skip_ws(raw, end)?;
            match raw.get(i) {
                None => break,
                Some(b',') => i += 1,
                Some(_) => return None,
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::pick;

    /// Each address as `(name, addr-spec)`; groups as `group NAME:` then
    /// their members.
    fn flat(raw: &[u8]) -> Vec<String> {
        let (list, _) = address_list(raw);
        let mut out = Vec::new();
        for a in list {
            match a {
                Address::Mailbox(m) => out.push(show(&m)),
                Address::Group(g) => {
                    out.push(format!("group {}:", g.name));
                    out.extend(g.members.iter().map(show));
                }
            }
        }
        out
    }

    fn show(m: &Mailbox) -> String {
        format!("{}|{}", m.name.as_deref().unwrap_or("-"), m.addr_spec())
    }

    fn kinds(raw: &[u8]) -> Vec<DefectKind> {
        address_list(raw).1.into_iter().map(|d| d.kind).collect()
    }

    #[test]
    fn rfc5322_a_1() {
        assert_eq!(
            flat(b" \"Joe Q. Public\" <john.q.public@example.com>"),
            ["Joe Q. Public|john.q.public@example.com"]
        );
        assert_eq!(
            flat(b" Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>"),
            [
                "Mary Smith|mary@x.test",
                "-|jdoe@example.org",
                "Who?|one@y.test"
            ]
        );
        assert_eq!(
            flat(b" <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>"),
            [
                "-|boss@nil.test",
                "Giant; \"Big\" Box|sysservices@example.net"
            ]
        );
        assert_eq!(
            flat(b" A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;"),
            [
                "group A Group:",
                "Ed Jones|c@a.test",
                "-|joe@where.test",
                "John|jdoe@one.test"
            ]
        );
        assert_eq!(
            flat(b" Undisclosed recipients:;"),
            ["group Undisclosed recipients:"]
        );
        for raw in [
            &b" \"Joe Q. Public\" <john.q.public@example.com>"[..],
            b" A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
            b" Undisclosed recipients:;",
        ] {
            assert!(kinds(raw).is_empty(), "{:?}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn rfc5322_a_5_white_space_and_comments() {
        assert_eq!(
            flat(b" Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
            ["Pete|pete@silly.test"]
        );
        assert_eq!(
            flat(b" A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)"),
            [
                "group A Group:",
                "Chris Jones|c@public.example",
                "-|joe@example.org",
                "John|jdoe@one.test"
            ]
        );
        assert_eq!(
            flat(b"(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;"),
            ["group Hidden recipients:"]
        );
        assert!(
            kinds(b" Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>").is_empty()
        );
    }

    #[test]
    fn rfc5322_a_6_obsolete() {
        assert_eq!(
            flat(b" Joe Q. Public <john.q.public@example.com>"),
            ["Joe Q. Public|john.q.public@example.com"]
        );
        assert_eq!(
            kinds(b" Joe Q. Public <john.q.public@example.com>"),
            [DefectKind::ObsoleteSyntax]
        );
        assert_eq!(
            flat(b" Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example"),
            ["Mary Smith|mary@example.net", "-|jdoe@test.example"]
        );
        assert_eq!(
            kinds(b" Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example"),
            [DefectKind::ObsoleteSyntax, DefectKind::ObsoleteSyntax]
        );
        assert_eq!(
            flat(b" John Doe <jdoe@machine(comment).  example>"),
            ["John Doe|jdoe@machine.example"]
        );
        assert_eq!(
            flat(b" Mary Smith\r\n    \r\n <mary@example.net>"),
            ["Mary Smith|mary@example.net"]
        );
        assert_eq!(
            flat(b" <@a.test,@b.test:x@c.test>, <@d:y@e>"),
            ["-|x@c.test", "-|y@e"]
        );
        assert_eq!(
            flat(b" john . doe @ example . com"),
            ["-|john.doe@example.com"]
        );
        assert_eq!(
            flat(b" \"john\".doe@example.com"),
            ["-|john.doe@example.com"]
        );
    }

    #[test]
    fn corpus_issue_98_groups() {
        assert_eq!(
            flat(b" one: a@b.c; two: d@e.f;"),
            ["group one:", "-|a@b.c", "group two:", "-|d@e.f"]
        );
        assert_eq!(
            flat(b" first: a@b.c, d@e.f; <x@y.com>"),
            ["group first:", "-|a@b.c", "-|d@e.f", "-|x@y.com"]
        );
        assert_eq!(
            flat(b" <x@y.com>, last: a@b.c;"),
            ["-|x@y.com", "group last:", "-|a@b.c"]
        );
        assert_eq!(
            flat(b" <x@y.com>, group: (some text);, <x@y.com>"),
            ["-|x@y.com", "group group:", "-|x@y.com"]
        );
    }

    #[test]
    fn encoded_words_and_utf8() {
        assert_eq!(
            flat(b" =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"),
            ["Keld J\u{f8}rn Simonsen|keld@dkuug.dk"]
        );
        assert_eq!(
            flat(b" =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
            ["Andr\u{e9} Pirard|PIRARD@vm1.ulg.ac.be"]
        );
        // Split character joined across words; specials inside a word.
        assert_eq!(
            flat(b" =?utf-8?q?caf=C3?= =?utf-8?q?=A9?= <a@b.c>, =?utf-8?q?a,b?= <d@e.f>"),
            ["caf\u{e9}|a@b.c", "a,b|d@e.f"]
        );
        assert_eq!(
            flat(b" \"=?utf-8?q?caf=C3=A9?=\" <a@b.c>"),
            ["caf\u{e9}|a@b.c"]
        );
        assert_eq!(
            kinds(b" \"=?utf-8?q?caf=C3=A9?=\" <a@b.c>"),
            [DefectKind::EncodedWordInQuotedString]
        );
        // RFC 6532: UTF-8 everywhere.
        assert_eq!(
            flat("Jos\u{e9} <jos\u{e9}@ex\u{e4}mple.org>".as_bytes()),
            ["Jos\u{e9}|jos\u{e9}@ex\u{e4}mple.org"]
        );
        assert!(kinds("Jos\u{e9} <jos\u{e9}@ex\u{e4}mple.org>".as_bytes()).is_empty());
    }

    #[test]
    fn repairs() {
        assert_eq!(flat(b" Doe, John <jd@x.org>"), ["Doe, John|jd@x.org"]);
        assert_eq!(
            kinds(b" Doe, John <jd@x.org>"),
            [DefectKind::UnquotedSpecial]
        );
        assert_eq!(
            flat(b" John Doe john@example.com"),
            ["John Doe|john@example.com"]
        );
        assert_eq!(
            kinds(b" John Doe john@example.com"),
            [DefectKind::MissingAngleBrackets]
        );
        assert_eq!(flat(b" a@b.c,, d@e.f,"), ["-|a@b.c", "-|d@e.f"]);
        assert_eq!(flat(b" a@b.c; d@e.f"), ["-|a@b.c", "-|d@e.f"]);
        assert_eq!(flat(b" <a@b.c"), ["-|a@b.c"]);
        assert_eq!(
            kinds(b" <a@b.c"),
            [DefectKind::Unterminated { expected: '>' }]
        );
        assert_eq!(flat(b" <a@b.c> John, d@e.f"), ["-|a@b.c", "-|d@e.f"]);
        assert_eq!(flat(b" <a@b.c> <d@e.f>"), ["-|a@b.c", "-|d@e.f"]);
        assert_eq!(flat(b" John Doe"), ["-|\"John Doe\""]);
        assert_eq!(kinds(b" joe"), [DefectKind::MissingDomain]);
        assert_eq!(flat(b" <>"), ["-|\"\""]);
        assert_eq!(flat(b" <mailto:x@y.com>"), ["-|x@y.com"]);
        assert_eq!(flat(b" g: a@b.c"), ["group g:", "-|a@b.c"]);
        assert_eq!(
            kinds(b" g: a@b.c"),
            [DefectKind::Unterminated { expected: ';' }]
        );
        assert_eq!(flat(b" \"a b\"@c.d"), ["-|\"a b\"@c.d"]);
        assert_eq!(
            flat(b" <john doe@example.com>"),
            ["-|\"john doe\"@example.com"]
        );
        assert_eq!(flat(b" a@[1.2.3.4]"), ["-|a@[1.2.3.4]"]);
        assert_eq!(
            flat(b" \"unterminated <a@b.c>"),
            ["-|\"unterminated <a@b.c>\""]
        );
        assert!(flat(b"").is_empty());
        assert!(flat(b" (only a comment)").is_empty());
        assert!(flat(b" , ,").is_empty());
    }

    #[test]
    fn deep_comments() {
        let mut raw = b"a@b.c ".to_vec();
        raw.extend(std::iter::repeat_n(b'(', 100_000));
        assert_eq!(flat(&raw), ["-|a@b.c"]);
        let mut raw = vec![b'('; 50_000];
        raw.extend(vec![b')'; 50_000]);
        raw.extend_from_slice(b"<a@b.c>");
        assert_eq!(flat(&raw), ["-|a@b.c"]);
    }

    /// Lists the quick reader must answer, as the general one does.
    #[test]
    fn quick_reader_answers_the_usual_shapes() {
        for raw in [
            &b" alice@example.org"[..],
            b" Alice Martin <alice@example.org>",
            b" \"Martin, Alice\" <alice.martin@mail.example.org>,\r\n Bob <bob@example.net>",
            b"<a@b>, c@d.e,, \"\" <f@g>",
            b" J\xc3\xb6rg M\xc3\xbcller <joerg@example.de>",
            b" \"Dave\"Smith <d@example.org>",
        ] {
            let quick = quick::address_list(raw).expect("quick");
            assert_eq!((quick, Vec::new()), address_list_full(raw), "{raw:?}");
        }
    }

    /// Lists the quick reader leaves to the general one.
    #[test]
    fn quick_reader_gives_up_on_the_rest() {
        for raw in [
            &b" a@b (comment)"[..],
            b" =?utf-8?q?Andr=C3=A9?= <andre@example.org>",
            b" Team: a@example.org;",
            b" John Q. Public <jqp@example.org>",
            b" Doe, John <jd@example.org>",
            b" \"a\\\"b\" <c@d>",
            b" <@route:a@b>",
            b" a@[127.0.0.1]",
            b" \"john doe\"@example.org",
            b" John Doe john@example.org",
            b" a@b c",
            b" <a@b> x",
            b" a",
        ] {
            assert!(quick::address_list(raw).is_none(), "{raw:?}");
        }
    }

    proptest::proptest! {
        /// Lists of the usual shape with some pieces swapped for unusual
        /// ones: where the quick reader answers, the general reader gives
        /// the same answer, with no defect.
        #[test]
        fn quick_reader_agrees_with_the_general_one(
            elements in proptest::collection::vec(
                (pick(&["", " ", " ", "\r\n ", "(c)"]),
                    pick(&["", "", "Alice", "\"Bob, Jr\"", "A  B", "=?x?=", "A.B", "\"\"",
                        "J\u{f6}rg", "\"q\\\"\"", "x)"]),
                    pick(&["", " ", "\r\n\t"]),
                    pick(&["<", "<", "", "< "]),
                    pick(&["a", "a.b", "a..b", "", "\"a b\"", "=?u?=", ".a"]),
                    pick(&["@", "@", "", "@@"]),
                    pick(&["example.org", "x", "[1.2.3.4]", "", "b.", "ex ample"]),
                    pick(&[">", ">", "", "> x"]),
                    pick(&[",", ",", ", ", ";", ",,", " "])),
                0..4),
        ) {
            let raw: String = elements
                .iter()
                .map(|e| [e.0, e.1, e.2, e.3, e.4, e.5, e.6, e.7, e.8].concat())
                .collect();
            if let Some(q) = quick::address_list(raw.as_bytes()) {
                proptest::prop_assert_eq!((q, Vec::new()), address_list_full(raw.as_bytes()));
            }
        }
    }
}
