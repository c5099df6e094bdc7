//! Tests of the JSON layer: values, places, and what is recovered after each kind of syntax error.

use super::*;

fn parse_ok(text: &str) -> Json {
    let mut problems = Vec::new();
    let json = parse(text, &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    json.unwrap()
}

fn parse_err(text: &str) -> Vec<PolicyError> {
    let mut problems = Vec::new();
    let _json = parse(text, &mut problems);
    assert!(!problems.is_empty());
    problems
}

#[test]
fn keeps_spans_of_values_and_names() {
    let json = parse_ok(r#" {"a": [1, "x\n", true, null], "b": {}} "#);
    assert_eq!(json.span, span(1, 38));
    let JsonKind::Object(members) = &json.kind else {
        panic!("not an object")
    };
    assert_eq!(members[0].name_span, span(2, 3));
    assert_eq!(members[0].value.span, span(7, 22));
    let JsonKind::Array(items) = &members[0].value.kind else {
        panic!("not an array")
    };
    assert_eq!(items[1].kind, JsonKind::String("x\n".into()));
    assert_eq!(items[1].span, span(11, 5));
    assert_eq!(members[1].name, "b");
}

#[test]
fn decodes_unicode_escapes_and_surrogate_pairs() {
    let json = parse_ok(r#""\u00e9\ud83d\ude00""#);
    assert_eq!(json.kind, JsonKind::String("é😀".into()));
}

#[test]
fn names_what_is_wrong_with_a_unicode_escape() {
    let cases = [
        (r#""\u12g4""#, "not a `\\u` escape of four hex digits"),
        (
            r#""\ud800""#,
            "a high surrogate without a `\\u` low surrogate after it",
        ),
        (
            r#""\ud800\u0041""#,
            "a high surrogate without a `\\u` low surrogate after it",
        ),
        (
            r#""\udc00""#,
            "a low surrogate without the high surrogate before it",
        ),
    ];
    for (text, label) in cases {
        let problems = parse_err(text);
        assert_eq!(problems[0].message(), "invalid unicode escape", "{text}");
        assert_eq!(problems[0].label(), label, "{text}");
        assert_eq!(problems[0].span().offset(), 1, "{text}");
    }
}

#[test]
fn reports_duplicate_members_with_both_places() {
    let problems = parse_err("{\"a\": 1,\n \"a\": 2}");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].message(), "duplicate member `a`");
    assert_eq!(problems[0].span(), span(10, 3));
    assert_eq!(problems[0].secondary_labels()[0].0, span(1, 3));
}

#[test]
fn reports_several_recoverable_problems() {
    let problems = parse_err(r#"{"a": [1, 2,], "b": 1 "c": 2, "a": 3,}"#);
    let messages: Vec<_> = problems.iter().map(PolicyError::message).collect();
    assert_eq!(
        messages,
        [
            "trailing comma",
            "missing `,` between members",
            "duplicate member `a`",
            "trailing comma"
        ]
    );
}

#[test]
fn end_of_input_points_at_every_unclosed_opener() {
    let problems = parse_err("{\"a\": [\n{\"b\": 1}");
    assert_eq!(problems[0].message(), "unexpected end of input");
    let labels = problems[0].secondary_labels();
    assert_eq!(
        labels[0],
        (span(6, 1), "this `[` (line 1) is never closed".into())
    );
    assert_eq!(
        labels[1],
        (span(0, 1), "this `{` (line 1) is never closed".into())
    );
    assert_eq!(
        problems[0].help(),
        Some("add `]}` to close what is still open")
    );
}

#[test]
fn rejects_bad_numbers_words_and_strings() {
    assert_eq!(parse_err("01")[0].message(), "invalid number `01`");
    assert_eq!(parse_err("1.")[0].message(), "invalid number `1.`");
    assert_eq!(parse_err("True")[0].message(), "unexpected word `True`");
    assert_eq!(
        parse_err("{Effect: 1}")[0].message(),
        "member name `Effect` is not in double quotes"
    );
    assert_eq!(
        parse_err("\"abc\ndef\"")[0].message(),
        "string is not closed before the end of the line"
    );
    assert_eq!(parse_err(r#""\x""#)[0].message(), "invalid escape `\\x`");
    assert_eq!(parse_err("")[0].message(), "policy document is empty");
    assert_eq!(
        parse_err("{} {}")[0].message(),
        "unexpected `{` after the end of the document"
    );
}

#[test]
fn accepts_json_numbers() {
    for number in ["0", "-0", "12", "1.5", "-1.5e10", "2E-3"] {
        assert!(is_json_number(number), "{number}");
    }
    for number in ["-", "1.", ".5", "1e", "+1", "0x1"] {
        assert!(!is_json_number(number), "{number}");
    }
}

#[test]
fn limits_nesting() {
    let deep = "[".repeat(100);
    let problems = parse_err(&deep);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].message(), "JSON is nested too deeply");
    assert_eq!(problems[0].span(), span(65, 1));
}

/// The tree read past every syntax error of `text`, and each problem as its message, the
/// text it underlines and its label, in the order found.
fn recover(text: &str) -> (Json, Vec<(String, &str, String)>) {
    let mut problems = Vec::new();
    let json = parse_with_recovery(text, &mut problems).unwrap();
    let problems = problems
        .iter()
        .map(|problem| {
            let start = problem.span().offset();
            let underlined = text.get(start..start + problem.span().len()).unwrap();
            let label = problem.label().to_owned();
            (problem.message().to_owned(), underlined, label)
        })
        .collect();
    (json, problems)
}

fn members(json: &Json) -> &[Member] {
    let JsonKind::Object(members) = &json.kind else {
        panic!("not an object: {json:?}")
    };
    members
}

fn row(message: &str, underlined: &'static str, label: &str) -> (String, &'static str, String) {
    (message.to_owned(), underlined, label.to_owned())
}

#[test]
fn values_that_cannot_be_read_are_kept_as_unreadable() {
    let text = r#"{"a": tru, "b": 'x y', "c": 01, "d": @ ! [1], "e": , "f": 1}"#;
    let (json, problems) = recover(text);
    assert_eq!(
        problems,
        [
            row("unexpected word `tru`", "tru", "expected a JSON value"),
            row("string in single quotes", "'x y'", "not a JSON string"),
            row("invalid number `01`", "01", "not a JSON number"),
            row("unexpected `@`", "@", "expected a JSON value"),
            row("unexpected `,`", ",", "expected a JSON value"),
        ]
    );
    assert!(json.is_whole());
    let members = members(&json);
    let names: Vec<&str> = members.iter().map(|member| member.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c", "d", "e", "f"]);
    let unreadable: Vec<bool> = members.iter().map(|m| m.value.is_unreadable()).collect();
    assert_eq!(unreadable, [true, true, true, true, true, false]);
    // The value skipped over ends where its text does, before the `,`.
    assert_eq!(text.get(37..44), Some("@ ! [1]"));
    assert_eq!(members[3].value.span, span(37, 7));
}

#[test]
fn only_a_document_read_as_written_is_returned_by_the_strict_parse() {
    let mut problems = Vec::new();
    let classic = parse(r#"{"a": [1, 2,], "b": "\x" "c": 1}"#, &mut problems);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(classic.is_some());

    let mut problems = Vec::new();
    assert_eq!(parse(r#"{"a": tru, "b": 01}"#, &mut problems), None);
    let messages: Vec<&str> = problems.iter().map(PolicyError::message).collect();
    assert_eq!(messages, ["unexpected word `tru`", "invalid number `01`"]);
}

#[test]
fn extra_commas_are_reported_once() {
    let (json, problems) = recover(r#"{"a": [,1,,2,],, "b": 1,, }"#);
    assert_eq!(
        problems,
        [
            row("unexpected `,`", ",", "expected a JSON value"),
            row("unexpected `,`", ",", "expected a JSON value"),
            row("trailing comma", ",", "nothing follows this comma"),
            row("unexpected `,`", ",", "expected a member name"),
            row("unexpected `,`", ",", "expected a member name"),
        ]
    );
    assert_eq!(problems.len(), 5);
    assert!(json.is_whole());
    let JsonKind::Array(items) = &members(&json)[0].value.kind else {
        panic!("not an array")
    };
    assert_eq!(items.len(), 2);
}

#[test]
fn a_stray_closing_bracket_is_skipped() {
    let (json, problems) = recover(r#"{"a": [1]], "b": {"c": 2]}, "d": [3}]}"#);
    assert_eq!(
        problems,
        [
            row("unexpected `]`", "]", "expected `,` or `}`"),
            row("unexpected `]`", "]", "expected `,` or `}`"),
            row("unexpected `}`", "}", "expected `,` or `]`"),
        ]
    );
    assert!(json.is_whole());
    assert_eq!(members(&json).len(), 3);
}

#[test]
fn an_object_closed_too_early_is_reported_once() {
    let text = r#"[{"Effect": "Deny"}, "Action": "*", "Resource": "*"}, {"Sid": 1}]"#;
    let mut problems = Vec::new();
    let json = parse_with_recovery(text, &mut problems).unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].message(), "unexpected `:`");
    assert_eq!(problems[0].span(), span(29, 1));
    assert_eq!(problems[0].label(), "expected `,` or `]`");
    assert_eq!(
        problems[0].help(),
        Some(
            "`Action` looks like a member of an object closed too early: look for a stray \
             `}` before it"
        )
    );
    let JsonKind::Array(items) = &json.kind else {
        panic!("not an array")
    };
    let wholes: Vec<bool> = items.iter().map(Json::is_whole).collect();
    assert_eq!(wholes, [false, true]);
}

#[test]
fn a_stray_bracket_before_a_value_is_skipped() {
    let (json, problems) = recover(r#"{"a": }{"b": 1}, "c": ] 2, "d": }}"#);
    assert_eq!(
        problems,
        [
            row("unexpected `}`", "}", "expected a JSON value"),
            row("unexpected `]`", "]", "expected a JSON value"),
            row("unexpected `}`", "}", "expected a JSON value"),
            row(
                "unexpected `}` after the end of the document",
                "}",
                "expected the end of the input"
            ),
        ]
    );
    let members = members(&json);
    assert!(matches!(members[0].value.kind, JsonKind::Object(_)));
    assert_eq!(members[1].value.kind, JsonKind::Number("2".into()));
    assert!(members[2].value.is_unreadable());
}

#[test]
fn member_names_without_double_quotes_are_kept_when_a_colon_follows() {
    let text = r#"{Effect: 1, 'Action' : 2, Resource 3, "Sid" 4, "Id": 5}"#;
    let (json, problems) = recover(text);
    assert_eq!(
        problems,
        [
            row(
                "member name `Effect` is not in double quotes",
                "Effect",
                "expected a string"
            ),
            row("string in single quotes", "'Action'", "not a JSON string"),
            row(
                "member name `Resource` is not in double quotes",
                "Resource",
                "expected a string"
            ),
            row("unexpected `4`", "4", "expected `:` after `Sid`"),
        ]
    );
    let names: Vec<&str> = members(&json).iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Effect", "Action", "Id"]);
    // `Resource` and `Sid` are lost, so the object may lack a member that is in the text.
    assert!(!json.is_whole());
    assert!(
        members(&json)
            .iter()
            .all(|member| !member.value.is_unreadable())
    );
}

#[test]
fn a_stray_quote_costs_one_error_and_the_rest_of_its_line() {
    // The quote missing after `Sid` shifts every later string of the line by one quote.
    let text = "{\"Sid: \"A\", \"Effect\": \"Deny\", \"Action\": \"*\",\n \"Resource\": tru}";
    let (json, problems) = recover(text);
    assert_eq!(
        problems,
        [
            row("unexpected `A`", "A", "expected `:` after `Sid: `"),
            row("unexpected word `tru`", "tru", "expected a JSON value"),
        ]
    );
    let names: Vec<&str> = members(&json).iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Resource"]);
    assert!(!json.is_whole());
}

#[test]
fn text_that_cannot_be_a_member_is_skipped_to_the_next_comma() {
    let (json, problems) = recover(r#"{"a": 1, {"x": [1, "]"]}, "b": 2 c d, "e": 3}"#);
    assert_eq!(
        problems,
        [
            row("unexpected `{`", "{", "expected a member name"),
            row("unexpected `c`", "c", "expected `,` or `}`"),
        ]
    );
    let names: Vec<&str> = members(&json).iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "e"]);
    assert!(!json.is_whole());
}

#[test]
fn a_document_of_comments_alone_is_reported_for_its_comments_only() {
    let mut problems = Vec::new();
    assert!(parse("// a comment\n/* another */\n", &mut problems).is_none());
    let messages: Vec<&str> = problems.iter().map(PolicyError::message).collect();
    assert_eq!(messages, ["comment in JSON", "comment in JSON"]);
}

#[test]
fn comments_are_reported_and_skipped() {
    let text = "{\"a\": 1, // why\n \"b\": /* a\nb */ [2]} /* end */";
    let (json, problems) = recover(text);
    assert_eq!(
        problems,
        [
            row("comment in JSON", "// why", "JSON has no comments"),
            row("comment in JSON", "/* a\nb */", "JSON has no comments"),
            row("comment in JSON", "/* end */", "JSON has no comments"),
        ]
    );
    assert!(json.is_whole());
    assert_eq!(members(&json).len(), 2);

    let (json, problems) = recover("{\"a\": [1 /* never\n closed");
    assert_eq!(
        problems,
        [row(
            "comment is not closed",
            "/*",
            "this comment never ends"
        )]
    );
    assert!(!json.is_whole());
}

#[test]
fn a_string_open_at_the_end_of_its_line_ends_there() {
    let text = "{\"a\": \"x,\n \"b\": [\"y\n], \"c\": 3}";
    let (json, problems) = recover(text);
    let not_closed = "string is not closed before the end of the line";
    assert_eq!(
        problems,
        [
            row(not_closed, "\"", "this string never ends"),
            row(not_closed, "\"", "this string never ends"),
        ]
    );
    assert_eq!(problems.len(), 2);
    let members = members(&json);
    assert_eq!(members.len(), 3);
    assert!(members[0].value.is_unreadable());
    assert_eq!(members[0].value.span, span(6, 3));
    assert!(!members[2].value.is_unreadable());
}

#[test]
fn a_string_open_up_to_the_end_reports_nothing_more() {
    for text in [
        "[{\"a\": \"x}]\n\n",
        "[{\"a\": \"x}]",
        "[{\"a\": [1, 2], \"x}]",
    ] {
        let (json, problems) = recover(text);
        assert_eq!(problems.len(), 1, "{text}: {problems:#?}");
        assert!(problems[0].0.starts_with("string is not closed"), "{text}");
        assert!(!json.is_whole(), "{text}");
    }
}

#[test]
fn the_end_of_input_underlines_the_last_character() {
    let text = "{\"a\": [1,\n  2  \n\n";
    let (json, problems) = recover(text);
    assert_eq!(
        problems,
        [row(
            "unexpected end of input",
            "2",
            "the text ends after this"
        )]
    );
    assert!(!json.is_whole());
    let mut problems = Vec::new();
    let _json = parse(text, &mut problems);
    assert_eq!(
        problems[0].secondary_labels(),
        [
            (span(6, 1), "this `[` (line 1) is never closed".into()),
            (span(0, 1), "this `{` (line 1) is never closed".into()),
        ]
    );
    assert_eq!(
        problems[0].help(),
        Some("add `]}` to close what is still open")
    );
}

#[test]
fn a_value_nested_too_deeply_is_skipped_when_it_is_closed() {
    let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
    let text = format!(r#"{{"a": {deep}, "b": tru}}"#);
    let (json, problems) = recover(&text);
    let messages: Vec<&str> = problems
        .iter()
        .map(|(message, ..)| message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["JSON is nested too deeply", "unexpected word `tru`"]
    );
    assert!(json.is_whole());
}
