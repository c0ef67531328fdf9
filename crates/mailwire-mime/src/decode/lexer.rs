//! The lexical layer of structured field bodies (RFC 5322 §3.2): atoms,
//! quoted strings, domain literals and specials, with comments and folding
//! white space (`CFWS`) skipped.
//!
//! Everything here is a single forward scan: nested comments are counted,
//! not recursed into, so any nesting depth costs constant memory.

use std::borrow::Cow;

use crate::types::{Defect, DefectKind};

use super::words;

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// A run of `atext` (RFC 5322 §3.2.3) and of any byte that is neither
    /// white space, a special nor a delimiter; `input[start..end]`. An RFC
    /// 2047 encoded word is taken whole, specials in its text included.
    Atom,
    /// A `quoted-string` (RFC 5322 §3.2.4): its content, quoted pairs
    /// unescaped and line breaks removed.
    Quoted(Vec<u8>),
    /// A `domain-literal` (RFC 5322 §3.4.1): brackets included, white
    /// space and line breaks removed.
    Literal(Vec<u8>),
    /// One of the specials `< > @ , ; : .` and, outside an atom, `\`.
    Special(u8),
}

/// One token, with its place in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: TokKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// True when white space or a comment came before it.
    pub(crate) ws_before: bool,
}

impl Token {
    pub(crate) fn special(&self) -> Option<u8> {
        match self.kind {
            TokKind::Special(c) => Some(c),
            _ => None,
        }
    }

    pub(crate) fn is(&self, c: u8) -> bool {
        self.special() == Some(c)
    }
}

const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// True for the bytes that end an atom.
const fn ends_atom(b: u8) -> bool {
    is_ws(b)
        || matches!(
            b,
            b'(' | b')' | b'"' | b'[' | b'<' | b'>' | b'@' | b',' | b';' | b':' | b'.'
        )
}

/// [`ends_atom`] for every octet.
pub(crate) static ENDS_ATOM: [bool; 256] = octet_table!(ends_atom);

/// Skips white space and line breaks from `i`, for the quick readers of
/// usual field bodies: `None` at a comment, which they leave to the
/// general readers.
pub(crate) fn skip_blank(raw: &[u8], mut i: usize) -> Option<usize> {
    while let Some(&b) = raw.get(i) {
        match b {
            _ if is_ws(b) => i += 1,
            b'(' => return None,
            _ => break,
        }
    }
    Some(i)
}

/// Skips `comment = "(" *([FWS] ccontent) [FWS] ")"` (RFC 5322 §3.2.2),
/// `ccontent` including nested comments and quoted pairs, starting at the
/// `(` at `at`. Returns the offset past the closing `)`, or the end of
/// input with a [`DefectKind::Unterminated`] defect.
pub(crate) fn skip_comment(input: &[u8], at: usize, defects: &mut Vec<Defect>) -> usize {
    let mut depth: usize = 0;
    let mut i = at;
    while let Some(&b) = input.get(i) {
        match b {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    defects.push(Defect {
        offset: input.len(),
        kind: DefectKind::Unterminated { expected: ')' },
    });
    input.len()
}

/// Reads the `quoted-string` whose opening `"` is at `at`; returns its
/// content (quoted pairs unescaped, CR and LF removed) and the offset past
/// the closing `"`, or the end of input with a defect.
pub(crate) fn quoted_string<'a>(
    input: &'a [u8],
    at: usize,
    defects: &mut Vec<Defect>,
) -> (Cow<'a, [u8]>, usize) {
    // Borrowed while the content is one run of octets as written.
    let mut out: Cow<'a, [u8]> = Cow::Borrowed(&[]);
    let mut i = at + 1;
    while let Some(&b) = input.get(i) {
        match b {
            b'"' => return (out, i + 1),
            b'\\' => {
                if let Some(&n) = input.get(i + 1)
                    && n != b'\r'
                    && n != b'\n'
                {
                    out.to_mut().push(n);
                }
                i += 2;
            }
            b'\r' | b'\n' => i += 1,
            _ => {
                // A run of plain octets, taken at once.
                let rest = input.get(i..).unwrap_or_default();
                let run = rest
                    .iter()
                    .position(|&c| matches!(c, b'"' | b'\\' | b'\r' | b'\n'))
                    .unwrap_or(rest.len());
                let run_bytes = rest.get(..run).unwrap_or_default();
                if out.is_empty() {
                    out = Cow::Borrowed(run_bytes);
                } else {
                    out.to_mut().extend_from_slice(run_bytes);
                }
                i += run;
            }
        }
    }
    defects.push(Defect {
        offset: input.len(),
        kind: DefectKind::Unterminated { expected: '"' },
    });
    (out, input.len())
}

/// Splits a structured field body into tokens, skipping `CFWS`.
pub(crate) fn lex(input: &[u8], defects: &mut Vec<Defect>) -> Vec<Token> {
    // Room for the usual token density at once.
    let mut tokens = Vec::with_capacity(input.len() / 4 + 4);
    let mut ws = false;
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        let start = i;
        let kind = match b {
            _ if is_ws(b) => {
                ws = true;
                i += 1;
                continue;
            }
            b'(' => {
                i = skip_comment(input, i, defects);
                ws = true;
                continue;
            }
            b')' => {
                defects.push(Defect {
                    offset: i,
                    kind: DefectKind::InvalidSyntax,
                });
                ws = true;
                i += 1;
                continue;
            }
            b'"' => {
                let (content, end) = quoted_string(input, i, defects);
                i = end;
                TokKind::Quoted(content.into_owned())
            }
            b'[' => {
                let mut lit = vec![b'['];
                i += 1;
                loop {
                    match input.get(i) {
                        None => {
                            defects.push(Defect {
                                offset: input.len(),
                                kind: DefectKind::Unterminated { expected: ']' },
                            });
                            lit.push(b']');
                            break;
                        }
                        Some(b']') => {
                            lit.push(b']');
                            i += 1;
                            break;
                        }
                        Some(b'\\') => {
                            if let Some(&n) = input.get(i + 1) {
                                lit.push(n);
                            }
                            i += 2;
                        }
                        Some(&c) => {
                            if !is_ws(c) {
                                lit.push(c);
                            }
                            i += 1;
                        }
                    }
                }
                i = i.min(input.len());
                TokKind::Literal(lit)
            }
            b'<' | b'>' | b'@' | b',' | b';' | b':' | b'.' => {
                i += 1;
                TokKind::Special(b)
            }
            _ => {
                i = atom_end(input, i);
                TokKind::Atom
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
            ws_before: ws,
        });
        ws = false;
    }
    tokens
}

/// The end of the atom starting at `at` (which does not end an atom). An
/// encoded word met inside it is taken whole.
fn atom_end(input: &[u8], at: usize) -> usize {
    let mut i = at;
    while let Some(&b) = input.get(i) {
        if b == b'='
            && input.get(i + 1) == Some(&b'?')
            && let Some(end) = words::encoded_word_end(input, i)
        {
            i = end;
            continue;
        }
        if i > at && ends_atom(b) {
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &[u8]) -> Vec<(TokKind, bool)> {
        let mut d = Vec::new();
        lex(input, &mut d)
            .into_iter()
            .map(|t| (t.kind, t.ws_before))
            .collect()
    }

    #[test]
    fn tokens() {
        assert_eq!(
            kinds(b" a.b (c (d)) \"e\\\"f\" [1. 2]<"),
            vec![
                (TokKind::Atom, true),
                (TokKind::Special(b'.'), false),
                (TokKind::Atom, false),
                (TokKind::Quoted(b"e\"f".to_vec()), true),
                (TokKind::Literal(b"[1.2]".to_vec()), true),
                (TokKind::Special(b'<'), false),
            ]
        );
        // An encoded word keeps its specials.
        let mut d = Vec::new();
        let t = lex(b"=?utf-8?q?a,b.c?= x", &mut d);
        assert_eq!((t[0].start, t[0].end), (0, 17));
        assert!(d.is_empty());
    }

    #[test]
    fn unterminated() {
        let mut d = Vec::new();
        let t = lex(b"a (b \"c", &mut d);
        assert_eq!(t.len(), 1);
        assert_eq!(d[0].kind, DefectKind::Unterminated { expected: ')' });
        let mut d = Vec::new();
        let t = lex(b"\"ab\\", &mut d);
        assert_eq!(t[0].kind, TokKind::Quoted(b"ab".to_vec()));
        assert_eq!(d[0].kind, DefectKind::Unterminated { expected: '"' });
        let mut d = Vec::new();
        let t = lex(b"[ab\\", &mut d);
        assert_eq!(t[0].kind, TokKind::Literal(b"[ab]".to_vec()));
    }

    #[test]
    fn deep_comments_are_linear() {
        let mut input = vec![b'('; 100_000];
        input.extend(vec![b')'; 100_000]);
        input.extend_from_slice(b"x");
        let mut d = Vec::new();
        let t = lex(&input, &mut d);
        assert_eq!(t.len(), 1);
        assert!(d.is_empty());
    }
}
