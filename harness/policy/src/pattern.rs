//! Wildcard patterns: `*` matches any run of characters, `?` exactly one.
//!
//! IAM User Guide, reference_policies_elements_action.html: actions match case-insensitively.
//! reference_policies_elements_resource.html ("Using wildcards in resource ARNs"): resource
//! ARNs match case-sensitively, with wildcards inside each `:`-separated part, and "if the `*`
//! wildcard is the last character of a resource ARN segment, it can expand to match beyond
//! colon boundaries". reference_policies_elements_condition_operators.html (ARN condition
//! operators): each of the six `:`-separated parts of an ARN is checked separately.
//!
//! Patterns are compiled once when a policy is parsed. The common shapes (`*`, exact text, a
//! prefix followed by `*`, and literal text between `*`s) get a fast path; matching never
//! allocates, but for an ARN of more than [`FEW_COLONS`] colons against a pattern whose parts
//! span colons.

use std::collections::HashSet;

/// How many colons an ARN may have before matching it against colon-spanning parts remembers
/// its failures; a real ARN has five to seven.
const FEW_COLONS: usize = 16;

/// One element of a general pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    Char(char),
    AnyOne,
    AnyRun,
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Glob {
    /// `*`: matches everything.
    Any,
    /// No wildcard: the text must be equal.
    Exact(String),
    /// Text followed by one trailing `*`.
    Prefix(String),
    /// Literal pieces separated by `*`, without `?`: `first*middle*...*last`.
    Segments(Segments),
    /// Anything else, i.e. a pattern with `?`.
    General(Vec<Token>),
}

/// The literal pieces of a pattern whose only wildcard is `*`; there is at least one `*`, so
/// `first` must start the text and `last` end it, and the `middle` pieces appear in order in
/// between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segments {
    first: String,
    middle: Vec<String>,
    last: String,
}

/// A piece of pattern text: either with wildcards active, or literal (from `${*}` and the like,
/// or from a policy variable's value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatternText<'a> {
    Wild(&'a str),
    Literal(&'a str),
}

/// Whether letters are compared case-sensitively (resources, `StringLike`) or ignoring ASCII
/// case (actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    Sensitive,
    AsciiInsensitive,
}

impl Glob {
    /// Whether the pattern ends with a `*` wildcard (not a literal `*`).
    fn ends_with_any_run(&self) -> bool {
        match self {
            Glob::Any | Glob::Prefix(_) => true,
            Glob::Exact(_) => false,
            Glob::Segments(segments) => segments.last.is_empty(),
            Glob::General(tokens) => tokens.last() == Some(&Token::AnyRun),
        }
    }

    /// Compiles `pattern` with `*` and `?` as wildcards.
    pub(crate) fn new(pattern: &str, case: Case) -> Glob {
        Glob::from_pieces(&[PatternText::Wild(pattern)], case)
    }

    /// Compiles a pattern made of wildcard-active and literal pieces.
    pub(crate) fn from_pieces(pieces: &[PatternText<'_>], case: Case) -> Glob {
        let mut tokens = Vec::new();
        for piece in pieces {
            match piece {
                PatternText::Wild(text) => tokens.extend(text.chars().map(wild_token)),
                PatternText::Literal(text) => tokens.extend(text.chars().map(Token::Char)),
            }
        }
        if case == Case::AsciiInsensitive {
            for token in &mut tokens {
                if let Token::Char(c) = token {
                    *c = c.to_ascii_lowercase();
                }
            }
        }
        simplify(tokens)
    }

    /// Whether `text` matches; with [`Case::AsciiInsensitive`] the pattern is already lowercase.
    pub(crate) fn matches(&self, text: &str, case: Case) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(exact) => match case {
                Case::Sensitive => text == exact,
                Case::AsciiInsensitive => text.eq_ignore_ascii_case(exact),
            },
            Glob::Prefix(prefix) => text
                .get(..prefix.len())
                .is_some_and(|head| same_text(head, prefix, case)),
            Glob::Segments(segments) => segments.matches(text.as_bytes(), case),
            Glob::General(tokens) => matches_tokens(tokens, text, case),
        }
    }
}

impl Segments {
    /// Splits tokens without `?` at each run of `*`; `None` if there is a `?` or no `*`.
    fn from_tokens(tokens: &[Token]) -> Option<Segments> {
        let mut pieces = vec![String::new()];
        for token in tokens {
            match token {
                Token::Char(c) => pieces.last_mut()?.push(*c),
                Token::AnyRun
                    if pieces.last().is_some_and(String::is_empty) && pieces.len() > 1 => {}
                Token::AnyRun => pieces.push(String::new()),
                Token::AnyOne => return None,
            }
        }
        if pieces.len() < 2 {
            return None;
        }
        let last = pieces.pop()?;
        let mut rest = pieces.into_iter();
        let first = rest.next()?;
        Some(Segments {
            first,
            middle: rest.collect(),
            last,
        })
    }

    /// Matches byte-wise: each piece is valid UTF-8 starting with a whole character, so it can
    /// only be found at character boundaries of the text, and ASCII folding leaves the other
    /// bytes alone.
    fn matches(&self, text: &[u8], case: Case) -> bool {
        let first = self.first.as_bytes();
        let last = self.last.as_bytes();
        let Some(after_first) = strip_prefix(text, first, case) else {
            return false;
        };
        let Some(mut between) = strip_suffix(after_first, last, case) else {
            return false;
        };
        for piece in &self.middle {
            match find(between, piece.as_bytes(), case) {
                Some(rest) => between = rest,
                None => return false,
            }
        }
        true
    }
}

fn same_bytes(text: &[u8], pattern: &[u8], case: Case) -> bool {
    match case {
        Case::Sensitive => text == pattern,
        Case::AsciiInsensitive => text.eq_ignore_ascii_case(pattern),
    }
}

fn strip_prefix<'a>(text: &'a [u8], prefix: &[u8], case: Case) -> Option<&'a [u8]> {
    let (head, rest) = text.split_at_checked(prefix.len())?;
    same_bytes(head, prefix, case).then_some(rest)
}

fn strip_suffix<'a>(text: &'a [u8], suffix: &[u8], case: Case) -> Option<&'a [u8]> {
    let (rest, tail) = text.split_at_checked(text.len().checked_sub(suffix.len())?)?;
    same_bytes(tail, suffix, case).then_some(rest)
}

/// The text after the leftmost occurrence of `piece`; leftmost is right for `*` patterns, as a
/// later occurrence leaves less room for the pieces that follow.
fn find<'a>(text: &'a [u8], piece: &[u8], case: Case) -> Option<&'a [u8]> {
    let Some((&head, tail)) = piece.split_first() else {
        return Some(text);
    };
    let same_head = |byte: u8| match case {
        Case::Sensitive => byte == head,
        Case::AsciiInsensitive => byte.eq_ignore_ascii_case(&head),
    };
    let mut from = 0;
    while let Some(found) = text.get(from..)?.iter().position(|byte| same_head(*byte)) {
        let at = from + found;
        let after_head = text.get(at + 1..)?;
        if let Some(rest) = strip_prefix(after_head, tail, case) {
            return Some(rest);
        }
        from = at + 1;
    }
    None
}

fn wild_token(c: char) -> Token {
    match c {
        '*' => Token::AnyRun,
        '?' => Token::AnyOne,
        _ => Token::Char(c),
    }
}

fn simplify(tokens: Vec<Token>) -> Glob {
    let is_char = |token: &Token| matches!(token, Token::Char(_));
    let text = |tokens: &[Token]| -> String {
        tokens
            .iter()
            .filter_map(|token| match token {
                Token::Char(c) => Some(*c),
                Token::AnyOne | Token::AnyRun => None,
            })
            .collect()
    };
    let all_stars = !tokens.is_empty() && tokens.iter().all(|token| *token == Token::AnyRun);
    match tokens.split_last() {
        _ if all_stars => Glob::Any,
        Some((Token::AnyRun, head)) if head.iter().all(is_char) => Glob::Prefix(text(head)),
        _ if tokens.iter().all(is_char) => Glob::Exact(text(&tokens)),
        _ => match Segments::from_tokens(&tokens) {
            Some(segments) => Glob::Segments(segments),
            None => Glob::General(tokens),
        },
    }
}

fn same_text(text: &str, pattern: &str, case: Case) -> bool {
    match case {
        Case::Sensitive => text == pattern,
        Case::AsciiInsensitive => text.eq_ignore_ascii_case(pattern),
    }
}

fn same_char(text: char, pattern: char, case: Case) -> bool {
    match case {
        Case::Sensitive => text == pattern,
        Case::AsciiInsensitive => text.to_ascii_lowercase() == pattern,
    }
}

/// Matches a pattern with `?`: split at each `*`, the pattern is a row of pieces of fixed length
/// in characters. The first piece must start the text and the last end it (without a `*`, the
/// one piece is the whole text), and each piece between is taken at its leftmost place, which
/// is right because a later place leaves less room for the pieces after it. The cost is linear
/// in the text for the first and last pieces; a piece between costs up to the text's length
/// times its own.
fn matches_tokens(tokens: &[Token], text: &str, case: Case) -> bool {
    let is_run = |token: &Token| *token == Token::AnyRun;
    let runs = tokens.iter().filter(|token| is_run(token)).count();
    let mut pieces = tokens.split(is_run);
    let first = pieces.next().unwrap_or_default();
    let Some(rest) = strip_piece_prefix(first, text, case) else {
        return false;
    };
    if runs == 0 {
        return rest.is_empty();
    }
    let last = tokens.rsplit(is_run).next().unwrap_or_default();
    let Some(mut between) = strip_piece_suffix(last, rest, case) else {
        return false;
    };
    for piece in pieces.take(runs - 1) {
        match find_piece(piece, between, case) {
            Some(after) => between = after,
            None => return false,
        }
    }
    true
}

/// Whether one character matches one token of a piece (`?` or a character, never `*`).
fn token_matches(token: &Token, found: char, case: Case) -> bool {
    match token {
        Token::Char(expected) => same_char(found, *expected, case),
        Token::AnyOne | Token::AnyRun => true,
    }
}

/// The text after `piece`, if the text starts with it.
fn strip_piece_prefix<'a>(piece: &[Token], text: &'a str, case: Case) -> Option<&'a str> {
    let mut chars = text.char_indices();
    for token in piece {
        let (_, found) = chars.next()?;
        if !token_matches(token, found, case) {
            return None;
        }
    }
    Some(chars.as_str())
}

/// The text before `piece`, if the text ends with it.
fn strip_piece_suffix<'a>(piece: &[Token], text: &'a str, case: Case) -> Option<&'a str> {
    let mut chars = text.char_indices();
    for token in piece.iter().rev() {
        let (_, found) = chars.next_back()?;
        if !token_matches(token, found, case) {
            return None;
        }
    }
    Some(chars.as_str())
}

/// The text after the leftmost occurrence of `piece`.
fn find_piece<'a>(piece: &[Token], text: &'a str, case: Case) -> Option<&'a str> {
    let starts = text.char_indices().map(|(at, _)| at).chain([text.len()]);
    starts
        .filter_map(|at| text.get(at..))
        .find_map(|from| strip_piece_prefix(piece, from, case))
}

/// Whether a `*` that ends one of the first five parts of an ARN pattern may match text with
/// colons in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Spanning {
    /// In the `Resource` element it may: `arn:aws:sqs:us-*:111122223333:queue1` matches
    /// `arn:aws:sqs:us-east-1:x:111122223333:queue1`.
    SegmentEndStar,
    /// In the `Arn*` condition operators each part is checked separately.
    Never,
}

/// An ARN pattern matched part by part: a wildcard spans the `:` between the six parts only
/// where [`Spanning`] lets a part's final `*` do so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArnGlob {
    /// `arn`, partition, service, region, account, resource.
    parts: Vec<Glob>,
    /// For each of the first five parts, whether its final `*` may match colons too.
    spanning: Vec<bool>,
    /// The leading parts without wildcards, each followed by its `:`, e.g. `arn:aws:s3:::`:
    /// one comparison checks them all.
    literal_head: String,
    /// How many parts `literal_head` covers; never the resource part.
    literal_parts: usize,
}

impl ArnGlob {
    /// Compiles `pattern` if it has the six parts of an ARN.
    #[cfg(test)]
    pub(crate) fn new(pattern: &str, spanning: Spanning) -> Option<ArnGlob> {
        ArnGlob::from_pieces(&[PatternText::Wild(pattern)], spanning)
    }

    /// Compiles a pattern made of pieces, splitting it at its first five colons.
    pub(crate) fn from_pieces(pieces: &[PatternText<'_>], spanning: Spanning) -> Option<ArnGlob> {
        let mut parts: Vec<Vec<PatternText<'_>>> = vec![Vec::new()];
        for piece in pieces {
            let (text, literal) = match piece {
                PatternText::Wild(text) => (*text, false),
                PatternText::Literal(text) => (*text, true),
            };
            let mut segments = text.split(':').peekable();
            while let Some(segment) = segments.next() {
                let piece = if literal {
                    PatternText::Literal(segment)
                } else {
                    PatternText::Wild(segment)
                };
                if let Some(part) = parts.last_mut() {
                    part.push(piece);
                }
                if segments.peek().is_some() {
                    parts.push(Vec::new());
                }
            }
        }
        join_resource_part(&mut parts);
        if parts.len() != 6 {
            return None;
        }
        let parts: Vec<Glob> = parts
            .iter()
            .map(|part| Glob::from_pieces(part, Case::Sensitive))
            .collect();
        let mut literal_head = String::new();
        let mut literal_parts = 0;
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            let Glob::Exact(text) = part else { break };
            literal_head.push_str(text);
            literal_head.push(':');
            literal_parts += 1;
        }
        let leading = parts
            .get(..parts.len().saturating_sub(1))
            .unwrap_or_default();
        let spanning = leading
            .iter()
            .map(|part| spanning == Spanning::SegmentEndStar && part.ends_with_any_run())
            .collect();
        Some(ArnGlob {
            parts,
            spanning,
            literal_head,
            literal_parts,
        })
    }

    /// Whether `arn` matches; text that is not an ARN never does.
    pub(crate) fn matches(&self, arn: &str) -> bool {
        let Some((last, leading)) = self.parts.split_last() else {
            return false;
        };
        // The literal parts hold no `:`, so matching them as one prefix is the same as
        // matching them one by one.
        let Some(mut rest) = arn.strip_prefix(self.literal_head.as_str()) else {
            return false;
        };
        if self.spanning.contains(&true) {
            // Few colons, as in every real ARN, are tried without remembering failures, which
            // would allocate; many colons could otherwise take time growing with their number
            // to the power of the spanning parts.
            if rest.bytes().filter(|byte| *byte == b':').count() <= FEW_COLONS {
                return self.matches_spanning(self.literal_parts, rest, None);
            }
            return self.matches_spanning(self.literal_parts, rest, Some(&mut HashSet::new()));
        }
        for part in leading.iter().skip(self.literal_parts) {
            // A plain scan: the parts are a few bytes long, too short for `memchr` to pay off.
            let Some(colon) = rest.bytes().position(|byte| byte == b':') else {
                return false;
            };
            let (Some(text), Some(after)) = (rest.get(..colon), rest.get(colon + 1..)) else {
                return false;
            };
            if !part.matches(text, Case::Sensitive) {
                return false;
            }
            rest = after;
        }
        last.matches(rest, Case::Sensitive)
    }

    /// Matches `rest` against the parts from `index` on, where a part whose final `*` spans
    /// colons may take any text up to one of the colons after its own.
    ///
    /// Such a part matches text `u` + `v` where `u` holds no colon and matches the part with
    /// its `*`s kept inside the part, and `v` is anything: so the part matches when it matches
    /// the text up to the next colon (its final `*` taking the rest of `u`), and the following
    /// parts may then start after that colon or after any later one.
    ///
    /// `failed`, when given, holds the (part, text) pairs already found not to match, the text
    /// by its length (it is always a suffix of the ARN), so that each is tried once.
    fn matches_spanning(
        &self,
        index: usize,
        rest: &str,
        mut failed: Option<&mut HashSet<(usize, usize)>>,
    ) -> bool {
        if failed
            .as_ref()
            .is_some_and(|failed| failed.contains(&(index, rest.len())))
        {
            return false;
        }
        let matched = self.matches_spanning_once(index, rest, failed.as_deref_mut());
        if !matched && let Some(failed) = failed {
            failed.insert((index, rest.len()));
        }
        matched
    }

    fn matches_spanning_once(
        &self,
        index: usize,
        rest: &str,
        mut failed: Option<&mut HashSet<(usize, usize)>>,
    ) -> bool {
        let (Some(part), Some(&spans)) = (self.parts.get(index), self.spanning.get(index)) else {
            return self
                .parts
                .get(index)
                .is_some_and(|last| last.matches(rest, Case::Sensitive));
        };
        let Some(colon) = rest.find(':') else {
            return false;
        };
        let own = rest.get(..colon).unwrap_or_default();
        if !part.matches(own, Case::Sensitive) {
            return false;
        }
        if !spans {
            let after = rest.get(colon + 1..).unwrap_or_default();
            return self.matches_spanning(index + 1, after, failed);
        }
        rest.match_indices(':').any(|(at, _)| {
            let after = rest.get(at + 1..).unwrap_or_default();
            self.matches_spanning(index + 1, after, failed.as_deref_mut())
        })
    }
}

/// A resource pattern: part by part when it is an ARN, otherwise as one piece of text (`*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ResourceGlob {
    Arn(ArnGlob),
    Plain(Glob),
}

impl ResourceGlob {
    /// Compiles `pattern` of a `Resource` element, e.g. `*` or `arn:aws:s3:::bucket/*`.
    pub(crate) fn new(pattern: &str) -> ResourceGlob {
        ResourceGlob::from_pieces(&[PatternText::Wild(pattern)], Spanning::SegmentEndStar)
    }

    /// Compiles a pattern made of pieces.
    pub(crate) fn from_pieces(pieces: &[PatternText<'_>], spanning: Spanning) -> ResourceGlob {
        match ArnGlob::from_pieces(pieces, spanning) {
            Some(arn) => ResourceGlob::Arn(arn),
            None => ResourceGlob::Plain(Glob::from_pieces(pieces, Case::Sensitive)),
        }
    }

    /// Whether `text` matches, case-sensitively.
    pub(crate) fn matches(&self, text: &str) -> bool {
        match self {
            ResourceGlob::Arn(arn) => arn.matches(text),
            ResourceGlob::Plain(glob) => glob.matches(text, Case::Sensitive),
        }
    }

    /// Whether the pattern has ARN parts, so only ARNs can match it.
    pub(crate) fn is_arn(&self) -> bool {
        matches!(self, ResourceGlob::Arn(_))
    }
}

/// Joins everything after the fifth colon back into the resource part, colons included.
fn join_resource_part(parts: &mut Vec<Vec<PatternText<'_>>>) {
    if parts.len() <= 6 {
        return;
    }
    let tail = parts.split_off(5);
    let mut resource = Vec::new();
    for (index, part) in tail.into_iter().enumerate() {
        if index > 0 {
            resource.push(PatternText::Literal(":"));
        }
        resource.extend(part);
    }
    parts.push(resource);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(pattern: &str, text: &str) -> bool {
        Glob::new(pattern, Case::Sensitive).matches(text, Case::Sensitive)
    }

    #[test]
    fn simplifies_common_shapes() {
        assert_eq!(Glob::new("*", Case::Sensitive), Glob::Any);
        assert_eq!(
            Glob::new("s3:*", Case::Sensitive),
            Glob::Prefix("s3:".into())
        );
        assert_eq!(Glob::new("ab", Case::Sensitive), Glob::Exact("ab".into()));
        assert!(matches!(
            Glob::new("a*b", Case::Sensitive),
            Glob::Segments(_)
        ));
        assert_eq!(Glob::new("**", Case::Sensitive), Glob::Any);
        assert!(matches!(
            Glob::new("a?b*", Case::Sensitive),
            Glob::General(_)
        ));
    }

    /// The segment matcher must agree with the general one on every pattern without `?`.
    #[test]
    fn segments_agree_with_the_general_matcher() {
        let patterns = [
            "a*c",
            "*a*b*",
            "a*b*c",
            "*.txt",
            "x**y",
            "*é*",
            "tenant-*/*",
            "a*a",
            "aa*aa",
            "*",
        ];
        let texts = [
            "",
            "a",
            "ac",
            "abc",
            "abbbc",
            "abcd",
            "aaa",
            "aaaa",
            "aXaaYaa",
            "xxaxxbxx",
            "xy",
            "x--y",
            "é",
            "cé.txt",
            "tenant-b/home/a.txt",
            "tenant-",
            "abXbYc",
            "abXbY",
        ];
        for case in [Case::Sensitive, Case::AsciiInsensitive] {
            for pattern in patterns {
                let tokens: Vec<Token> = pattern.chars().map(wild_token).collect();
                let fast = Glob::new(pattern, case);
                for text in texts {
                    assert_eq!(
                        fast.matches(text, case),
                        matches_tokens(&tokens, text, case),
                        "`{pattern}` on `{text}`"
                    );
                }
            }
        }
        let upper = Glob::new("EC2:*volume*", Case::AsciiInsensitive);
        assert!(upper.matches("ec2:CreateVOLUMEs", Case::AsciiInsensitive));
    }

    /// The textbook definition of a wildcard match, over characters, by dynamic programming.
    fn reference(pattern: &[char], text: &[char]) -> bool {
        // matched[j]: the pattern read so far matches the first j characters of the text.
        let mut matched = vec![false; text.len() + 1];
        matched[0] = true;
        for token in pattern {
            let mut next = vec![false; text.len() + 1];
            for j in 0..=text.len() {
                next[j] = match token {
                    '*' => matched[j] || (j > 0 && next[j - 1]),
                    '?' => j > 0 && matched[j - 1],
                    c => j > 0 && matched[j - 1] && text[j - 1] == *c,
                };
            }
            matched = next;
        }
        matched[text.len()]
    }

    proptest::proptest! {
        #[test]
        fn every_matcher_agrees_with_the_reference(
            pattern in "[ab?*é]{0,8}",
            text in "[abé]{0,10}",
        ) {
            let pattern_chars: Vec<char> = pattern.chars().collect();
            let text_chars: Vec<char> = text.chars().collect();
            proptest::prop_assert_eq!(
                glob(&pattern, &text),
                reference(&pattern_chars, &text_chars),
                "`{}` on `{}`", pattern, text
            );
        }
    }

    #[test]
    fn a_long_run_of_question_marks_after_a_star_matches_the_end_at_once() {
        let pattern = format!("*{}b", "?".repeat(4_900));
        let text = "a".repeat(2_000_000);
        assert!(!glob(&pattern, &text));
        assert!(glob(&pattern, &format!("{text}b")));
        let middle = format!("*{}b*", "?".repeat(50));
        assert!(glob(
            &middle,
            &format!("{}b{}", "a".repeat(20_000), "a".repeat(60))
        ));
    }

    #[test]
    fn star_and_question_mark() {
        assert!(glob("a*c", "abbbc"));
        assert!(glob("a*c", "ac"));
        assert!(!glob("a*c", "abcd"));
        assert!(glob("a?c", "abc"));
        assert!(glob("a?c", "aéc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*a*b*", "xxaxxbxx"));
        assert!(glob("**", ""));
        assert!(!glob("?", ""));
        assert!(glob("a*b*c", "abXbYc"));
        assert!(!glob("a*b*c", "abXbY"));
    }

    #[test]
    fn case_handling() {
        let action = Glob::new("EC2:Create*", Case::AsciiInsensitive);
        assert!(action.matches("ec2:createvolume", Case::AsciiInsensitive));
        assert!(action.matches("EC2:CREATEVOLUME", Case::AsciiInsensitive));
        assert!(!glob("Bucket", "bucket"));
        let general = Glob::new("ec2:*Volume?", Case::AsciiInsensitive);
        assert!(general.matches("EC2:CreateVOLUMES", Case::AsciiInsensitive));
    }

    #[test]
    fn literal_pieces_disable_wildcards() {
        let pieces = [PatternText::Wild("a*"), PatternText::Literal("*")];
        let literal_star = Glob::from_pieces(&pieces, Case::Sensitive);
        assert!(literal_star.matches("abc*", Case::Sensitive));
        assert!(!literal_star.matches("abc", Case::Sensitive));
    }

    #[test]
    fn arn_parts_match_separately() {
        let volumes = ArnGlob::new("arn:aws:ec2:*:*:volume/*", Spanning::Never).unwrap();
        assert!(volumes.matches("arn:aws:ec2:eu-central-1:111122223333:volume/vol-1"));
        assert!(!volumes.matches("arn:aws:ec2:eu-central-1::snapshot/snap-1"));
        assert!(!volumes.matches("volume/vol-1"));
        let region_star = ArnGlob::new("arn:aws:*:volume/*", Spanning::Never);
        assert!(region_star.is_none());
        let literal_head = ArnGlob::new("arn:aws:s3:::bucket/*", Spanning::Never).unwrap();
        assert!(literal_head.matches("arn:aws:s3:::bucket/a:b"));
        assert!(!literal_head.matches("arn:aws:s3::1:bucket/a"));
        assert!(!literal_head.matches("arn:aws:s3:::"));
        let with_colons = ArnGlob::new("arn:aws:rds:*:*:cluster:*", Spanning::Never).unwrap();
        assert!(with_colons.matches("arn:aws:rds:eu-central-1:111122223333:cluster:c1"));
        assert!(
            !ArnGlob::new("arn:aws:s3:::b*", Spanning::Never)
                .unwrap()
                .matches("arn:aws:s3:x::bucket")
        );
    }

    /// IAM User Guide, reference_policies_elements_resource.html: in the `Resource` element a
    /// `*` that ends a part may match beyond the colon; other wildcards stay in their part, and
    /// the `Arn*` operators check each part separately.
    #[test]
    fn a_final_star_spans_colons_only_in_the_resource_element() {
        let element = |pattern| ArnGlob::new(pattern, Spanning::SegmentEndStar).unwrap();
        let condition = |pattern| ArnGlob::new(pattern, Spanning::Never).unwrap();
        let odd = "arn:aws:sqs:us-east-1:999:111122223333:queue1";
        assert!(element("arn:aws:sqs:us-*:111122223333:queue1").matches(odd));
        assert!(!condition("arn:aws:sqs:us-*:111122223333:queue1").matches(odd));
        assert!(element("arn:aws:sqs:*:111122223333:queue1").matches(odd));
        assert!(
            element("arn:aws:sqs:us-*:111122223333:queue1")
                .matches("arn:aws:sqs:us-east-1:111122223333:queue1")
        );
        // A `*` inside a part, or a `?`, never takes a colon.
        assert!(!element("arn:aws:sqs:us-*-1:111122223333:queue1").matches(odd));
        assert!(
            !element("arn:aws:sqs:us-east-?:111122223333:queue1")
                .matches("arn:aws:sqs:us-east-:111122223333:queue1:x")
        );
        // The part must still match up to its own colon.
        assert!(!element("arn:aws:sqs:eu-*:111122223333:queue1").matches(odd));
        // A literal `*` (from `${*}`) does not span.
        let pieces = [
            PatternText::Wild("arn:aws:sqs:us-"),
            PatternText::Literal("*"),
            PatternText::Wild(":111122223333:queue1"),
        ];
        let literal = ArnGlob::from_pieces(&pieces, Spanning::SegmentEndStar).unwrap();
        assert!(!literal.matches(odd));
        assert!(literal.matches("arn:aws:sqs:us-*:111122223333:queue1"));
        // Spanning from the account part into the resource part.
        let account_star = element("arn:aws:s3:::*:b/*");
        assert!(account_star.matches("arn:aws:s3:::x:y:b/k"));
    }

    /// Many colons are matched with remembered failures; the answer is the one the plain
    /// recursion gives, and comes at once even for parts spanning hundreds of colons.
    #[test]
    fn arns_with_many_colons_match_as_with_few() {
        let pattern = ArnGlob::new("arn:*:*:*:*:x", Spanning::SegmentEndStar).unwrap();
        let many = format!("arn:aws:sqs:eu-central-1:111122223333:q{}", ":".repeat(350));
        assert!(!pattern.matches(&many));
        assert!(pattern.matches(&format!("{many}:x")));

        let patterns = [
            "arn:aws:*:*:*:secret/*",
            "arn:*:s*:*:*:a*",
            "arn:aws:*:*:1*:*b",
        ];
        let texts = [
            "arn:aws:s3:::secret/k",
            "arn:aws:s3:::a:b:c:secret/k",
            "arn:aws:sqs:eu:1:a:b",
            "arn:aws:sqs:eu:2:1:ab",
            "arn:aws:s3:eu:1:x:y:z:a:b",
        ];
        for pattern in patterns {
            let glob = ArnGlob::new(pattern, Spanning::SegmentEndStar).unwrap();
            for text in texts {
                let padded = format!("{text}{}", ":a".repeat(FEW_COLONS));
                let with_memory = glob.matches(&padded);
                let rest = padded
                    .strip_prefix(glob.literal_head.as_str())
                    .unwrap_or_default();
                let plain = glob.matches_spanning(glob.literal_parts, rest, None);
                assert_eq!(with_memory, plain, "`{pattern}` on `{padded}`");
                assert_eq!(
                    glob.matches(text),
                    glob.matches_spanning(
                        glob.literal_parts,
                        text.strip_prefix(glob.literal_head.as_str())
                            .unwrap_or_default(),
                        Some(&mut HashSet::new())
                    ),
                    "`{pattern}` on `{text}`"
                );
            }
        }
    }
}
