//! The hand-written lexer and recursive-descent parser of the rule language.
//!
//! Grammar, loosest binding first:
//! ```text
//! rule       := or
//! or         := and ("or" and)*
//! and        := unary ("and" unary)*
//! unary      := "not" unary | "(" or ")" | comparison
//! comparison := name ("==" value | "!=" value | "in" list | "not" "in" list
//!                     | "is" "absent" | "is" "present" | "like" string)
//! list       := "[" (value ("," value)* ","?)? "]"
//! value      := "true" | "false" | integer | string
//! ```

use std::ops::Range;

use super::{Comparison, Expr, Literal, Pattern, Test};
use crate::ParamValue;

/// How deeply `not` and parentheses may nest; deeper rules are refused rather than risking
/// the stack.
const MAX_DEPTH: usize = 64;

/// Words that cannot name a parameter.
const KEYWORDS: [&str; 10] = [
    "and", "or", "not", "in", "is", "like", "true", "false", "absent", "present",
];

/// A rule that does not follow the grammar; the span is a byte range of the rule's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleSyntaxError {
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    pub(crate) span: Range<usize>,
}

impl RuleSyntaxError {
    fn new(message: String, span: Range<usize>) -> Self {
        Self {
            message,
            help: None,
            span,
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Parses a whole rule.
pub(crate) fn parse(source: &str) -> Result<Expr, RuleSyntaxError> {
    let tokens = lex(source)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        end: source.len(),
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return Err(
            RuleSyntaxError::new("empty rule".to_owned(), 0..source.len())
                .with_help("write a comparison such as `encrypted != true`"),
        );
    }

    let expr = parser.or()?;
    match parser.peek() {
        None => Ok(expr),
        Some(token) => Err(RuleSyntaxError::new(
            format!(
                "expected `and`, `or` or the end of the rule, found {}",
                token.kind
            ),
            token.span.clone(),
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TokenKind {
    Word(String),
    Integer(i64),
    String(String),
    Equals,
    NotEquals,
    OpenParen,
    CloseParen,
    OpenBracket,
    CloseBracket,
    Comma,
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenKind::Word(word) => write!(f, "`{word}`"),
            TokenKind::Integer(value) => write!(f, "`{value}`"),
            TokenKind::String(value) => write!(f, "`\"{value}\"`"),
            TokenKind::Equals => f.write_str("`==`"),
            TokenKind::NotEquals => f.write_str("`!=`"),
            TokenKind::OpenParen => f.write_str("`(`"),
            TokenKind::CloseParen => f.write_str("`)`"),
            TokenKind::OpenBracket => f.write_str("`[`"),
            TokenKind::CloseBracket => f.write_str("`]`"),
            TokenKind::Comma => f.write_str("`,`"),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    span: Range<usize>,
}

fn lex(source: &str) -> Result<Vec<Token>, RuleSyntaxError> {
    let mut lexer = Lexer {
        source,
        chars: source.char_indices().peekable(),
        tokens: Vec::new(),
    };
    while let Some(&(start, c)) = lexer.chars.peek() {
        if c.is_whitespace() {
            lexer.chars.next();
            continue;
        }
        let token = lexer.token(start, c)?;
        lexer.tokens.push(token);
    }
    Ok(lexer.tokens)
}

struct Lexer<'a> {
    source: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn token(&mut self, start: usize, c: char) -> Result<Token, RuleSyntaxError> {
        match c {
            '"' => self.string(start),
            '=' | '!' => self.operator(start, c),
            '(' | ')' | '[' | ']' | ',' => Ok(self.punctuation(start, c)),
            '-' if self.digit_follows(start) => self.integer(start),
            c if c.is_ascii_digit() => self.integer(start),
            c if c.is_alphabetic() || c == '_' => Ok(self.word(start)),
            _ => Err(unexpected_character(start, c)),
        }
    }

    fn digit_follows(&self, at: usize) -> bool {
        let rest = self.source.get(at + 1..).unwrap_or_default();
        rest.starts_with(|c: char| c.is_ascii_digit())
    }

    fn punctuation(&mut self, start: usize, c: char) -> Token {
        self.chars.next();
        let kind = match c {
            '(' => TokenKind::OpenParen,
            ')' => TokenKind::CloseParen,
            '[' => TokenKind::OpenBracket,
            ']' => TokenKind::CloseBracket,
            _ => TokenKind::Comma,
        };
        Token {
            kind,
            span: start..start + 1,
        }
    }

    fn operator(&mut self, start: usize, c: char) -> Result<Token, RuleSyntaxError> {
        self.chars.next();
        if self.chars.next_if(|&(_, next)| next == '=').is_none() {
            return Err(unexpected_character(start, c));
        }
        let kind = if c == '=' {
            TokenKind::Equals
        } else {
            TokenKind::NotEquals
        };
        Ok(Token {
            kind,
            span: start..start + 2,
        })
    }

    fn word(&mut self, start: usize) -> Token {
        let end = self.take_while(start, |c| c.is_alphanumeric() || c == '_');
        let text = self.source.get(start..end).unwrap_or_default().to_owned();
        Token {
            kind: TokenKind::Word(text),
            span: start..end,
        }
    }

    fn integer(&mut self, start: usize) -> Result<Token, RuleSyntaxError> {
        self.chars.next();
        let end = self.take_while(start + 1, |c| c.is_ascii_digit());
        let text = self.source.get(start..end).unwrap_or_default();
        let value = text.parse::<i64>().map_err(|_| {
            RuleSyntaxError::new(format!("`{text}` is not a 64-bit integer"), start..end)
        })?;
        Ok(Token {
            kind: TokenKind::Integer(value),
            span: start..end,
        })
    }

    /// Consumes characters while `keep` holds; returns the end offset.
    fn take_while(&mut self, mut end: usize, keep: impl Fn(char) -> bool) -> usize {
        while let Some((at, c)) = self.chars.next_if(|&(_, c)| keep(c)) {
            end = at + c.len_utf8();
        }
        end
    }

    fn string(&mut self, start: usize) -> Result<Token, RuleSyntaxError> {
        self.chars.next();
        let mut value = String::new();
        while let Some((at, c)) = self.chars.next() {
            match c {
                '"' => {
                    return Ok(Token {
                        kind: TokenKind::String(value),
                        span: start..at + 1,
                    });
                }
                '\\' => value.push(self.escape(at)?),
                c => value.push(c),
            }
        }
        Err(
            RuleSyntaxError::new("unterminated string".to_owned(), start..self.source.len())
                .with_help("close the string with `\"`"),
        )
    }

    fn escape(&mut self, at: usize) -> Result<char, RuleSyntaxError> {
        match self.chars.next() {
            Some((_, '"')) => Ok('"'),
            Some((_, '\\')) => Ok('\\'),
            Some((_, other)) => Err(RuleSyntaxError::new(
                format!("unknown escape `\\{other}`"),
                at..at + 1 + other.len_utf8(),
            )
            .with_help("only `\\\"` and `\\\\` are escapes in rule strings")),
            None => Err(RuleSyntaxError::new(
                "unterminated string".to_owned(),
                at..at + 1,
            )),
        }
    }
}

fn unexpected_character(at: usize, c: char) -> RuleSyntaxError {
    let error = RuleSyntaxError::new(format!("unexpected character `{c}`"), at..at + c.len_utf8());
    match c {
        '=' => error.with_help("compare with `==`"),
        '!' => error.with_help("compare with `!=`, or negate with `not`"),
        '&' => error.with_help("join comparisons with `and`"),
        '|' => error.with_help("join comparisons with `or`"),
        '\'' => error.with_help("write strings in double quotes"),
        _ => error,
    }
}

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.position)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Word(w), .. }) if w == word)
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let found = self.peek_word(word);
        if found {
            self.position += 1;
        }
        found
    }

    /// An error about the next token, or about the end of the rule when there is none.
    fn expected(&self, what: &str) -> RuleSyntaxError {
        match self.peek() {
            Some(token) => RuleSyntaxError::new(
                format!("expected {what}, found {}", token.kind),
                token.span.clone(),
            ),
            None => RuleSyntaxError::new(
                format!("expected {what}, found the end of the rule"),
                self.end..self.end,
            ),
        }
    }

    fn or(&mut self) -> Result<Expr, RuleSyntaxError> {
        let mut operands = vec![self.and()?];
        while self.eat_word("or") {
            operands.push(self.and()?);
        }
        Ok(single_or(operands, Expr::Or))
    }

    fn and(&mut self) -> Result<Expr, RuleSyntaxError> {
        let mut operands = vec![self.unary()?];
        while self.eat_word("and") {
            operands.push(self.unary()?);
        }
        Ok(single_or(operands, Expr::And))
    }

    fn unary(&mut self) -> Result<Expr, RuleSyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self
                .peek()
                .map_or(self.end..self.end, |token| token.span.clone());
            return Err(
                RuleSyntaxError::new("rule nests too deeply".to_owned(), span).with_help(format!(
                    "`not` and parentheses nest at most {MAX_DEPTH} levels deep"
                )),
            );
        }

        let expr = if self.eat_word("not") {
            Expr::Not(Box::new(self.unary()?))
        } else if matches!(
            self.peek(),
            Some(Token {
                kind: TokenKind::OpenParen,
                ..
            })
        ) {
            self.group()?
        } else {
            Expr::Comparison(self.comparison()?)
        };

        self.depth -= 1;
        Ok(expr)
    }

    fn group(&mut self) -> Result<Expr, RuleSyntaxError> {
        self.position += 1;
        let inner = self.or()?;
        match self.next() {
            Some(Token {
                kind: TokenKind::CloseParen,
                ..
            }) => Ok(inner),
            _ => {
                self.position -= 1;
                Err(self
                    .expected("`)`")
                    .with_help("close the group that `(` opens"))
            }
        }
    }

    fn comparison(&mut self) -> Result<Comparison, RuleSyntaxError> {
        let (param, param_span) = match self.peek() {
            Some(Token {
                kind: TokenKind::Word(word),
                span,
            }) if !KEYWORDS.contains(&word.as_str()) => (word.clone(), span.clone()),
            _ => return Err(self.expected("a parameter name, `not` or `(`")),
        };
        self.position += 1;

        let test = self.test(&param)?;
        Ok(Comparison {
            param,
            param_span,
            test,
        })
    }

    fn test(&mut self, param: &str) -> Result<Test, RuleSyntaxError> {
        let operators = "`==`, `!=`, `in`, `not in`, `is` or `like`";
        let Some(token) = self.next() else {
            self.position -= 1;
            return Err(self.expected(&format!("{operators} after `{param}`")));
        };

        match token.kind {
            TokenKind::Equals => Ok(Test::Equals(self.literal()?)),
            TokenKind::NotEquals => Ok(Test::NotEquals(self.literal()?)),
            TokenKind::Word(word) => match word.as_str() {
                "in" => Ok(Test::In(self.list()?)),
                "not" if self.eat_word("in") => Ok(Test::NotIn(self.list()?)),
                "is" => self.is_test(),
                "like" => Ok(Test::Like(self.pattern()?)),
                _ => {
                    self.position -= 1;
                    Err(self.expected(&format!("{operators} after `{param}`")))
                }
            },
            _ => {
                self.position -= 1;
                Err(self.expected(&format!("{operators} after `{param}`")))
            }
        }
    }

    fn is_test(&mut self) -> Result<Test, RuleSyntaxError> {
        if self.eat_word("absent") {
            Ok(Test::IsAbsent)
        } else if self.eat_word("present") {
            Ok(Test::IsPresent)
        } else {
            Err(self.expected("`absent` or `present` after `is`"))
        }
    }

    fn literal(&mut self) -> Result<Literal, RuleSyntaxError> {
        let what = "a value: `true`, `false`, an integer or a \"string\"";
        let Some(token) = self.peek().cloned() else {
            return Err(self.expected(what));
        };

        let value = match token.kind {
            TokenKind::Word(word) if word == "true" => ParamValue::Bool(true),
            TokenKind::Word(word) if word == "false" => ParamValue::Bool(false),
            TokenKind::Integer(value) => ParamValue::Int(value),
            TokenKind::String(value) => ParamValue::Str(value),
            TokenKind::Word(_) => {
                return Err(self
                    .expected(what)
                    .with_help("write strings in double quotes"));
            }
            _ => return Err(self.expected(what)),
        };
        self.position += 1;
        Ok(Literal {
            value,
            span: token.span,
        })
    }

    fn list(&mut self) -> Result<Vec<Literal>, RuleSyntaxError> {
        if !matches!(
            self.next(),
            Some(Token {
                kind: TokenKind::OpenBracket,
                ..
            })
        ) {
            self.position -= 1;
            return Err(self.expected("`[` to start a list of values"));
        }

        let mut literals = Vec::new();
        loop {
            if self.close_bracket() {
                return Ok(literals);
            }
            literals.push(self.literal()?);
            match self.next() {
                Some(Token {
                    kind: TokenKind::Comma,
                    ..
                }) => {}
                Some(Token {
                    kind: TokenKind::CloseBracket,
                    ..
                }) => return Ok(literals),
                _ => {
                    self.position -= 1;
                    return Err(self.expected("`,` or `]` in a list of values"));
                }
            }
        }
    }

    fn close_bracket(&mut self) -> bool {
        let found = matches!(
            self.peek(),
            Some(Token {
                kind: TokenKind::CloseBracket,
                ..
            })
        );
        if found {
            self.position += 1;
        }
        found
    }

    fn pattern(&mut self) -> Result<Pattern, RuleSyntaxError> {
        match self.peek().cloned() {
            Some(Token {
                kind: TokenKind::String(text),
                ..
            }) => {
                self.position += 1;
                Ok(Pattern { text })
            }
            _ => Err(self
                .expected("a \"string\" pattern after `like`")
                .with_help(
                    "patterns are strings where `*` matches any text and `?` one character",
                )),
        }
    }
}

/// The only operand itself, or the operands joined by `join`.
fn single_or(mut operands: Vec<Expr>, join: fn(Vec<Expr>) -> Expr) -> Expr {
    match operands.pop() {
        Some(only) if operands.is_empty() => only,
        Some(last) => {
            operands.push(last);
            join(operands)
        }
        None => join(operands),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(source: &str) -> RuleSyntaxError {
        parse(source).unwrap_err()
    }

    /// The error's message, help and the text its span covers.
    fn describe(source: &str) -> (String, Option<String>, String) {
        let error = error(source);
        let covered = source.get(error.span.clone()).unwrap().to_owned();
        (error.message, error.help, covered)
    }

    #[test]
    fn parses_every_comparison() {
        let rule = r#"a == 1 and b != "x" and c in [true, false,] and d not in [] and e is absent
            and f is present and g like "aurora*""#;
        let Expr::And(operands) = parse(rule).unwrap() else {
            panic!("not an `and`")
        };
        assert_eq!(operands.len(), 7);
    }

    #[test]
    fn parses_escapes_in_strings() {
        let Expr::Comparison(comparison) = parse(r#"a == "q\"b\\""#).unwrap() else {
            panic!("not a comparison")
        };
        let Test::Equals(literal) = comparison.test else {
            panic!("not `==`")
        };
        assert_eq!(literal.value, ParamValue::Str("q\"b\\".to_owned()));
        assert_eq!(literal.span, 5..13);
    }

    #[test]
    fn parameter_spans_are_byte_offsets() {
        let Expr::Comparison(comparison) = parse("  é_x == 1").unwrap() else {
            panic!("not a comparison")
        };
        assert_eq!(comparison.param, "é_x");
        assert_eq!(comparison.param_span, 2..6);
    }

    #[test]
    fn an_empty_rule_is_refused() {
        let (message, help, _) = describe("   ");
        assert_eq!(message, "empty rule");
        assert_eq!(
            help.as_deref(),
            Some("write a comparison such as `encrypted != true`")
        );
    }

    #[test]
    fn a_single_equals_sign_is_refused_with_help() {
        assert_eq!(
            describe("a = 1"),
            (
                "unexpected character `=`".to_owned(),
                Some("compare with `==`".to_owned()),
                "=".to_owned()
            )
        );
        let (message, help, _) = describe("a == 1 && b == 2");
        assert_eq!(message, "unexpected character `&`");
        assert_eq!(help.as_deref(), Some("join comparisons with `and`"));
    }

    #[test]
    fn a_missing_operator_is_refused() {
        let (message, _, covered) = describe("encrypted true");
        assert_eq!(
            message,
            "expected `==`, `!=`, `in`, `not in`, `is` or `like` after `encrypted`, found `true`"
        );
        assert_eq!(covered, "true");

        let error = error("encrypted");
        assert_eq!(
            error.message,
            "expected `==`, `!=`, `in`, `not in`, `is` or `like` after `encrypted`, \
             found the end of the rule"
        );
        assert_eq!(error.span, 9..9);
    }

    #[test]
    fn a_bare_word_value_is_refused_with_help() {
        let (message, help, covered) = describe("sse == AES256");
        assert_eq!(
            message,
            "expected a value: `true`, `false`, an integer or a \"string\", found `AES256`"
        );
        assert_eq!(help.as_deref(), Some("write strings in double quotes"));
        assert_eq!(covered, "AES256");
    }

    #[test]
    fn an_unclosed_parenthesis_is_refused() {
        let error = error("(a == 1 or b == 2");
        assert_eq!(error.message, "expected `)`, found the end of the rule");
        assert_eq!(
            error.help.as_deref(),
            Some("close the group that `(` opens")
        );
    }

    #[test]
    fn trailing_tokens_are_refused() {
        let (message, _, covered) = describe("a == 1 b == 2");
        assert_eq!(
            message,
            "expected `and`, `or` or the end of the rule, found `b`"
        );
        assert_eq!(covered, "b");
    }

    #[test]
    fn list_and_pattern_errors() {
        assert_eq!(
            describe("a in [1 2]").0,
            "expected `,` or `]` in a list of values, found `2`"
        );
        assert_eq!(
            describe("a in 1").0,
            "expected `[` to start a list of values, found `1`"
        );
        assert_eq!(
            describe("a like 1").0,
            "expected a \"string\" pattern after `like`, found `1`"
        );
        assert_eq!(
            describe("a is there").0,
            "expected `absent` or `present` after `is`, found `there`"
        );
    }

    #[test]
    fn lexical_errors() {
        let (message, help, covered) = describe(r#"a == "open"#);
        assert_eq!(message, "unterminated string");
        assert_eq!(help.as_deref(), Some("close the string with `\"`"));
        assert_eq!(covered, "\"open");

        assert_eq!(describe(r#"a == "\n""#).0, "unknown escape `\\n`");
        assert_eq!(
            describe("a == 99999999999999999999").0,
            "`99999999999999999999` is not a 64-bit integer"
        );
        assert_eq!(describe("a == 1 # c").0, "unexpected character `#`");
        assert_eq!(describe("a == - 1").0, "unexpected character `-`");
    }

    #[test]
    fn keywords_do_not_name_parameters() {
        assert_eq!(
            describe("in == 1").0,
            "expected a parameter name, `not` or `(`, found `in`"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}a == 1", "not ".repeat(MAX_DEPTH + 1));
        let error = error(&deep);
        assert_eq!(error.message, "rule nests too deeply");
        assert!(error.help.unwrap().contains("at most 64 levels"));
        let fine = format!("{}a == 1", "not ".repeat(MAX_DEPTH - 1));
        assert!(parse(&fine).is_ok());
    }
}
