//! Reading a malformed policy past its syntax errors: every problem of a document, syntax and
//! grammar alike, is reported in one pass, each at its own place, and none twice.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking on malformed fixtures"
)]

use scpcheck_policy::Policy;

/// One problem as a test expects it: message, line, column, label and the text underlined.
type Expected = (&'static str, usize, usize, &'static str, &'static str);

struct Case {
    name: &'static str,
    text: &'static str,
    problems: &'static [Expected],
}

const CASES: &[Case] = &[
    Case {
        name: "a bare word, then a bad effect and an empty action in other statements",
        text: r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Deny", "Action": "s3:*", "Resource": tru},
    {"Effect": "Maybe", "Action": "s3:GetObject", "Resource": "*"},
    {"Effect": "Deny", "Action": [], "Resource": "*"}
  ]
}"#,
        problems: &[
            (
                "unexpected word `tru`",
                4,
                54,
                "expected a JSON value",
                "tru",
            ),
            (
                "invalid effect `Maybe`",
                5,
                16,
                "expected `Allow` or `Deny`",
                "\"Maybe\"",
            ),
            ("`Action` is empty", 6, 34, "matches nothing", "[]"),
        ],
    },
    Case {
        name: "single quotes, then a duplicate member and a misspelt element",
        text: r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Deny", "Action": ['s3:PutObject'], "Resource": "*"},
  {"Effect": "Deny", "Effect": "Allow", "Action": "*"},
  {"Effect": "Allow", "Actions": "s3:*"}
]}"#,
        problems: &[
            (
                "string in single quotes",
                2,
                33,
                "not a JSON string",
                "'s3:PutObject'",
            ),
            (
                "duplicate member `Effect`",
                3,
                22,
                "defined again here",
                "\"Effect\"",
            ),
            (
                "statement has no `Action` or `NotAction`",
                4,
                3,
                "this statement needs an `Action`",
                "{",
            ),
            (
                "unknown statement element `Actions`",
                4,
                23,
                "not a statement element",
                "\"Actions\"",
            ),
        ],
    },
    Case {
        name: "a bad number and a stray bracket, then values of the wrong type",
        text: r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Deny", "Action": "s3:*",
   "Condition": {"NumericLessThan": {"s3:max-keys": 010}}},
  {"Effect": "Deny", "Action": ["ec2:*"]], "Resource": "*"},
  {"Effect": "Deny", "Action": "*", "Sid": 7, "Resource": ["*", 1]}
]}"#,
        problems: &[
            ("invalid number `010`", 3, 53, "not a JSON number", "010"),
            ("unexpected `]`", 4, 41, "expected `,` or `}`", "]"),
            ("`Sid` must be a string", 5, 44, "found a number", "7"),
            (
                "`Resource` must hold only strings",
                5,
                65,
                "found a number",
                "1",
            ),
        ],
    },
    Case {
        name: "a string open at the end of its line, a comment, an unquoted name, a null value",
        text: r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*
  },
  // Allow reading the reports.
  {Effect: "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},
  {"Effect": "Deny", "Action": "*", "Condition": {"Bool": {"aws:SecureTransport": null}}}
]}"#,
        problems: &[
            (
                "string is not closed before the end of the line",
                2,
                52,
                "this string never ends",
                "\"",
            ),
            (
                "comment in JSON",
                4,
                3,
                "JSON has no comments",
                "// Allow reading the reports.",
            ),
            (
                "member name `Effect` is not in double quotes",
                5,
                4,
                "expected a string",
                "Effect",
            ),
            (
                "condition value must be a string, a boolean or a number",
                6,
                83,
                "found null",
                "n",
            ),
        ],
    },
    Case {
        name: "grammar errors, then the end of the input inside a statement",
        text: r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Deny", "Action": "s3:Get*", "Resource": "bucket"},
  {"Effect": "Deny", "NotAction": "iam:*", "Condition": {"bool": {"aws:SecureTransport": "1"}}},
  {"Effect": "Deny", "Action": [
"#,
        problems: &[
            (
                "invalid resource `bucket`",
                2,
                55,
                "not `*` or an ARN",
                "\"bucket\"",
            ),
            (
                "unknown condition operator `bool`",
                3,
                58,
                "not a condition operator",
                "\"bool\"",
            ),
            (
                "unexpected end of input",
                4,
                32,
                "the text ends after this",
                "[",
            ),
        ],
    },
    Case {
        name: "a missing and an extra comma, an element out of place, text after the end",
        text: r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Deny" "Action": "*",, "Resource": "*"},
  {"Effect": "Deny", "Action": "*", "Version": "2012-10-17"}
]}
]"#,
        problems: &[
            (
                "missing `,` between members",
                2,
                21,
                "expected `,` before this",
                "\"",
            ),
            ("unexpected `,`", 2, 35, "expected a member name", ","),
            (
                "unknown statement element `Version`",
                3,
                37,
                "not a statement element",
                "\"Version\"",
            ),
            (
                "unexpected `]` after the end of the document",
                5,
                1,
                "expected the end of the input",
                "]",
            ),
        ],
    },
    Case {
        name: "a statement closed too early, then an empty condition and a conflicting pair",
        text: r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Deny"}, "Action": "s3:*", "Resource": "*"},
  {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {}}},
  {"Effect": "Allow", "Action": "*", "NotResource": "*", "Resource": "*"}
]}"#,
        problems: &[
            ("unexpected `:`", 2, 31, "expected `,` or `]`", ":"),
            (
                "condition operator `Bool` has no keys",
                3,
                79,
                "empty",
                "{}",
            ),
            (
                "statement has both `Resource` and `NotResource`",
                4,
                38,
                "`NotResource` here",
                "\"NotResource\"",
            ),
        ],
    },
    Case {
        name: "a grammar error, then a string open up to the end of the input",
        text: r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Deny", "Action": "s3:*", "Principal": "*"},
  {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*}]}"#,
        problems: &[
            (
                "`Principal` is not allowed in a service control or identity policy",
                2,
                40,
                "only resource-based policies name principals",
                "\"Principal\"",
            ),
            (
                "string is not closed",
                3,
                52,
                "this string never ends",
                "\"",
            ),
        ],
    },
];

/// Every problem of `text` as its message, line, column, label and the text it underlines.
fn problems(text: &str) -> Vec<(String, usize, usize, String, String)> {
    Policy::parse("policy.json", text)
        .unwrap_err()
        .errors()
        .iter()
        .map(|error| {
            let location = error.location();
            let start = error.span().offset();
            let underlined = text.get(start..start + error.span().len()).unwrap();
            (
                error.message().to_owned(),
                location.line,
                location.column,
                error.label().to_owned(),
                underlined.to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_problem_of_a_malformed_policy_is_reported_in_one_pass() {
    for case in CASES {
        let expected: Vec<(String, usize, usize, String, String)> = case
            .problems
            .iter()
            .map(|&(message, line, column, label, underlined)| {
                let (message, label) = (message.to_owned(), label.to_owned());
                (message, line, column, label, underlined.to_owned())
            })
            .collect();
        assert_eq!(problems(case.text), expected, "{}", case.name);
    }
}

#[test]
fn many_syntax_and_grammar_errors_on_one_line_are_reported_in_linear_time() {
    // 20,000 statements on one line, each with a stray bracket, a bare word and an empty
    // `Resource`: reading that rescans the text after each error would take quadratic time.
    let count = 20_000;
    let statement = r#"{"Effect": "Deny", "Action": "s3:*"], "Sid": yes, "Resource": []}"#;
    let text = format!(
        "{{\"Version\": \"2012-10-17\",\n\"Statement\": [{}]}}",
        vec![statement; count].join(", ")
    );
    let problems = problems(&text);

    assert_eq!(problems.len(), 3 * count);
    let stride = statement.len() + ", ".len();
    let in_statement = |token: &str| statement.find(token).unwrap();
    for (index, triple) in problems.chunks(3).enumerate() {
        let start = "\"Statement\": [".len() + 1 + index * stride;
        let found: Vec<(&str, usize, usize)> = triple
            .iter()
            .map(|(message, line, column, ..)| (message.as_str(), *line, *column))
            .collect();
        assert_eq!(
            found,
            [
                ("unexpected `]`", 2, start + in_statement("]")),
                ("unexpected word `yes`", 2, start + in_statement("yes")),
                ("`Resource` is empty", 2, start + in_statement("[]")),
            ],
            "statement {index}"
        );
    }
}
