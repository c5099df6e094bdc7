//! Decision vectors: authorization questions with the answer AWS's documented semantics give,
//! read from JSON lines and decided by the reference evaluator.
//!
//! Each line holds one vector: `id`, `scp` (attached to the OU that holds the principal's
//! account, beside `FullAWSAccess` at the root, the OU and the account; the management account
//! `999999999999` is exempt), optional `identity` (absent means an
//! identity policy that allows everything), optional `resource_policy` (a resource-based
//! policy of the requested resource) and `resource_account` (the account that owns it; by
//! default the account of the resource ARN, or the principal's when the ARN has none),
//! `request` (`action`, `resource`, optional `principal`, optional `context` where an array is
//! a multi-valued key), `expected` (`Allow` or `Deny`), and optional `why` and `aws_doc`. Blank
//! lines are skipped. Every problem is
//! reported with its line and column, also those inside an embedded policy.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use miette::SourceSpan;

use crate::combined::{ResourcePolicy, evaluate};
use crate::document::{Policy, PolicyKind};
use crate::error::{PolicyError, SourceErrors, SourceLocation, SourceProblem, span};
use crate::json::{self, Json, JsonKind, Member};
use crate::organization::{
    AttachedPolicy, Decision, LevelKind, OrgLevel, Organization, evaluate_scps,
};
use crate::request::{
    Caller, Context, ContextValue, Request, check_action, check_context_key, check_resource,
    read_caller,
};

/// The member account of the vectors' organization.
pub const MEMBER_ACCOUNT: &str = "111122223333";

/// The management account of the vectors' organization; SCPs do not restrict its principals.
pub const MANAGEMENT_ACCOUNT: &str = "999999999999";

/// The principal of a vector that names none: an ordinary role in the member account.
pub const DEFAULT_PRINCIPAL: &str = "arn:aws:iam::111122223333:role/VectorRole";

/// The name of the AWS-managed policy that allows everything.
pub const FULL_AWS_ACCESS: &str = "FullAWSAccess";

/// The text of `FullAWSAccess` as AWS publishes it.
pub const FULL_AWS_ACCESS_TEXT: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Action": "*", "Resource": "*" }]
}"#;

/// The identifiers of the root and the OU of the vectors' organization.
const ROOT_ID: &str = "r-root";
const OU_ID: &str = "ou-vectors";

const FIELDS: &str = "`id`, `scp`, `identity`, `resource_policy`, `resource_account`, \
                      `request`, `expected`, `why` and `aws_doc`";
const REQUEST_FIELDS: &str = "`action`, `resource`, `principal` and `context`";

/// One authorization question and its documented answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionVector {
    /// A short name, e.g. `P01`.
    pub id: String,
    /// The SCP under test, attached to the OU that holds the account.
    pub scp: Arc<Policy>,
    /// The principal's identity policy; `None` means one that allows everything.
    pub identity: Option<Arc<Policy>>,
    /// The resource-based policy of the requested resource, with the account that owns it.
    pub resource_policy: Option<ResourcePolicy>,
    /// The request.
    pub request: Request,
    /// The decision AWS's documented semantics give.
    pub expected: Decision,
    /// The reasoning behind the expectation.
    pub why: Option<String>,
    /// Where AWS documents it.
    pub aws_doc: Vec<String>,
    /// Where the vector starts in its file.
    pub location: SourceLocation,
}

impl DecisionVector {
    /// The organization the vector is decided in: `FullAWSAccess` at every level and the
    /// vector's SCP at the OU, whose account is the principal's: SCPs restrict the principals of
    /// the accounts they are attached above, wherever the resource is.
    pub fn organization(&self) -> Organization {
        let scp = AttachedPolicy {
            name: format!("{}-scp", self.id),
            policy: Arc::clone(&self.scp),
        };
        let mut organization = organization(vec![scp]);
        if let Some(account) = organization.levels.last_mut() {
            account.target_id.clone_from(&self.request.account_id);
        }
        organization
    }
}

/// What the reference evaluator made of a vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorOutcome {
    /// The evaluator's decision.
    pub decision: Decision,
    /// The vector's expected decision.
    pub expected: Decision,
    /// The evaluator's explanation of its decision.
    pub explanation: String,
}

impl VectorOutcome {
    /// Whether the evaluator's decision is the expected one.
    pub fn matches(&self) -> bool {
        self.decision == self.expected
    }
}

/// The organization of the vectors: `FullAWSAccess` at the root, at the OU and at the account,
/// with `ou_policies` attached to the OU besides.
pub fn organization(ou_policies: Vec<AttachedPolicy>) -> Organization {
    let full_access = full_aws_access();
    let attach = || AttachedPolicy {
        name: FULL_AWS_ACCESS.to_owned(),
        policy: Arc::clone(&full_access),
    };
    let mut at_ou = vec![attach()];
    at_ou.extend(ou_policies);
    let level = |target_id: &str, kind, policies| OrgLevel {
        target_id: target_id.to_owned(),
        kind,
        policies,
    };
    Organization {
        management_account_id: MANAGEMENT_ACCOUNT.to_owned(),
        levels: vec![
            level(ROOT_ID, LevelKind::Root, vec![attach()]),
            level(OU_ID, LevelKind::OrganizationalUnit, at_ou),
            level(MEMBER_ACCOUNT, LevelKind::Account, vec![attach()]),
        ],
    }
}

/// `FullAWSAccess`, parsed once.
pub fn full_aws_access() -> Arc<Policy> {
    Arc::clone(&FULL_AWS_ACCESS_POLICY)
}

#[expect(
    clippy::expect_used,
    reason = "the text is a constant, and a unit test parses it"
)]
static FULL_AWS_ACCESS_POLICY: LazyLock<Arc<Policy>> = LazyLock::new(|| {
    let policy = Policy::parse(FULL_AWS_ACCESS, FULL_AWS_ACCESS_TEXT);
    Arc::new(policy.expect("`FullAWSAccess` parses"))
});

/// Adds `aws:PrincipalArn` and `aws:PrincipalAccount` of `caller` to `context`, unless the
/// context sets them or lists them in `absent` (lowercased).
///
/// IAM User Guide, reference_policies_condition-keys.html: both keys are in the request context
/// of every request an IAM principal makes; for a role session `aws:PrincipalArn` is the role's
/// ARN.
pub fn derive_principal_keys(context: &mut Context, absent: &[String], caller: &Caller) {
    let derived = [
        ("aws:PrincipalArn", &caller.principal_arn_key),
        ("aws:PrincipalAccount", &caller.account),
    ];
    for (key, value) in derived {
        let lowercase = key.to_ascii_lowercase();
        if context.get_lowercase(&lowercase).is_none() && !absent.contains(&lowercase) {
            context.insert_single(key, value.clone());
        }
    }
}

/// Decides `vector` with the explained evaluation and compares it with the expectation.
///
/// A vector without `identity` has an identity policy that allows everything. Without a
/// resource-based policy and within one account, the decision is then the SCPs' alone, and so
/// is the explanation; a resource of another account is decided with every policy, since
/// without a resource-based policy that grants it nothing allows it.
pub fn evaluate_vector(vector: &DecisionVector) -> VectorOutcome {
    let organization = vector.organization();
    let scps_alone = vector.identity.is_none()
        && vector.resource_policy.is_none()
        && !vector.request.names_another_account();
    let (decision, explanation) = match (&vector.identity, &vector.resource_policy) {
        _ if scps_alone => {
            let scp = evaluate_scps(&organization, &vector.request);
            (scp.decision(), scp.to_string())
        }
        (identity, resource_policy) => {
            let identity = identity.clone().unwrap_or_else(allow_all_identity_policy);
            let combined = evaluate(
                &organization,
                &[identity],
                resource_policy.as_ref(),
                &vector.request,
            );
            (combined.decision(), combined.to_string())
        }
    };
    VectorOutcome {
        decision,
        expected: vector.expected,
        explanation,
    }
}

/// The identity policy of a vector that names none: it allows everything.
fn allow_all_identity_policy() -> Arc<Policy> {
    Arc::clone(&ALLOW_ALL_IDENTITY_POLICY)
}

#[expect(
    clippy::expect_used,
    reason = "the text is a constant, and a unit test parses it"
)]
static ALLOW_ALL_IDENTITY_POLICY: LazyLock<Arc<Policy>> = LazyLock::new(|| {
    let policy = Policy::parse("allow-all-identity", FULL_AWS_ACCESS_TEXT);
    Arc::new(policy.expect("the allow-all identity policy parses"))
});

/// Reads every vector of `text`, one JSON object a line; `source_name` names the file in
/// messages.
///
/// Every problem on every line is reported, each with its line and column; a file without
/// vectors and a vector whose `id` an earlier one has are problems too.
pub fn parse_vectors(source_name: &str, text: &str) -> Result<Vec<DecisionVector>, VectorErrors> {
    let mut vectors = Vec::new();
    let mut problems = Vec::new();
    let mut first_lines = HashMap::new();
    let mut offset = 0;
    for (line_index, line) in text.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches(['\n', '\r']);
        if !content.trim().is_empty() {
            let mut reader = LineReader {
                line: content,
                line_number: line_index + 1,
                offset,
                problems: &mut problems,
                first_lines: &mut first_lines,
            };
            if let Some(vector) = reader.vector() {
                vectors.push(vector);
            }
        }
        offset += line.len();
    }
    if vectors.is_empty() && problems.is_empty() {
        let problem = SourceProblem::new("the file has no vectors", span(0, 0), "no vector here")
            .with_help(format!(
                "write one vector a line, a JSON object with {FIELDS}"
            ));
        problems.push(problem);
    }
    if problems.is_empty() {
        Ok(vectors)
    } else {
        Err(VectorErrors::collect(
            "vector file",
            source_name,
            text,
            problems,
        ))
    }
}

/// One problem in a vector file: a message, the span of the file it is about, and optional
/// advice.
pub type VectorError = SourceProblem;

/// Every problem found in one vector file.
pub type VectorErrors = SourceErrors;

/// Reads one line; spans of the line's JSON are shifted by `offset` into the whole file.
struct LineReader<'a> {
    line: &'a str,
    /// The 1-based number of the line in the file.
    line_number: usize,
    offset: usize,
    problems: &'a mut Vec<VectorError>,
    /// The line each `id` read so far is first used on.
    first_lines: &'a mut HashMap<String, usize>,
}

/// The members of a vector line, each found at most once thanks to the JSON layer.
#[derive(Default)]
struct VectorMembers<'a> {
    id: Option<&'a Member>,
    scp: Option<&'a Member>,
    identity: Option<&'a Member>,
    resource_policy: Option<&'a Member>,
    resource_account: Option<&'a Member>,
    request: Option<&'a Member>,
    expected: Option<&'a Member>,
    why: Option<&'a Member>,
    aws_doc: Option<&'a Member>,
}

impl LineReader<'_> {
    fn vector(&mut self) -> Option<DecisionVector> {
        let mut json_problems = Vec::new();
        let json = json::parse(self.line, &mut json_problems);
        for problem in json_problems {
            let message = format!("invalid JSON: {}", problem.message());
            self.report_policy_problem(message, 0, &problem);
        }
        let json = json?;
        let JsonKind::Object(members) = &json.kind else {
            self.report(
                "a vector must be a JSON object",
                json.start_span(),
                format!("found {}", json.kind_name()),
                Some(format!("a vector has {FIELDS}")),
            );
            return None;
        };
        let found = self.members(members);
        self.build(&found, &json)
    }

    fn members<'m>(&mut self, members: &'m [Member]) -> VectorMembers<'m> {
        let mut found = VectorMembers::default();
        for member in members {
            let slot = match member.name.as_str() {
                "id" => &mut found.id,
                "scp" => &mut found.scp,
                "identity" => &mut found.identity,
                "resource_policy" => &mut found.resource_policy,
                "resource_account" => &mut found.resource_account,
                "request" => &mut found.request,
                "expected" => &mut found.expected,
                "why" => &mut found.why,
                "aws_doc" => &mut found.aws_doc,
                name => {
                    self.report(
                        format!("unknown vector field `{name}`"),
                        member.name_span,
                        "not a vector field",
                        Some(format!("a vector has {FIELDS}")),
                    );
                    continue;
                }
            };
            *slot = Some(member);
        }
        found
    }

    fn build(&mut self, found: &VectorMembers<'_>, json: &Json) -> Option<DecisionVector> {
        let problems_before = self.problems.len();
        let id = self
            .required(found.id, "id", json)
            .and_then(|m| Some((self.string(m)?, m)));
        if let Some((id, member)) = &id {
            self.unique_id(id, member);
        }
        let id = id.map(|(id, _)| id);
        let name = id.as_deref().unwrap_or("vector");
        let scp = self
            .required(found.scp, "scp", json)
            .and_then(|member| self.policy(member, &format!("{name}-scp"), PolicyKind::Identity));
        let identity = found
            .identity
            .map(|member| self.policy(member, &format!("{name}-identity"), PolicyKind::Identity));
        let request = self
            .required(found.request, "request", json)
            .and_then(|member| self.request(member));
        let resource_policy = self.resource_policy(found, name, request.as_ref());
        let expected = self
            .required(found.expected, "expected", json)
            .and_then(|member| self.expected(member));
        let why = found.why.and_then(|member| self.string(member));
        let aws_doc = found.aws_doc.map(|member| self.doc_links(member));
        if self.problems.len() > problems_before {
            return None;
        }
        Some(DecisionVector {
            id: id?,
            scp: scp?,
            identity: identity.flatten(),
            resource_policy: resource_policy?,
            request: request?,
            expected: expected?,
            why,
            aws_doc: aws_doc.unwrap_or_default(),
            location: self.location(json.span.offset()),
        })
    }

    /// Reports `id` if an earlier line has it, or remembers this line as its first use.
    fn unique_id(&mut self, id: &str, member: &Member) {
        // An id names the vector on one line of the report, so it must show, whole, on one
        // line, and two ids that print alike must be equal.
        let invisible = |c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')
        };
        let problem = if id.chars().all(invisible) {
            Some(("empty vector id", "no name"))
        } else if id.chars().any(char::is_control) {
            Some((
                "vector id with a control character",
                "a line break or other control character",
            ))
        } else if id.starts_with(invisible) || id.ends_with(invisible) {
            Some((
                "vector id with space around it",
                "leading or trailing space",
            ))
        } else {
            None
        };
        if let Some((message, label)) = problem {
            self.report(
                message,
                member.value.span,
                label,
                Some("give the vector a short name, e.g. `\"deny-unencrypted-volume\"`".to_owned()),
            );
            return;
        }
        let Some(&first_line) = self.first_lines.get(id) else {
            self.first_lines.insert(id.to_owned(), self.line_number);
            return;
        };
        self.report(
            format!("duplicate vector id `{id}`: first used on line {first_line}"),
            member.value.span,
            format!("already the id of the vector on line {first_line}"),
            Some("give each vector its own `id`".to_owned()),
        );
    }

    /// The location of byte `offset` of the line in the file.
    fn location(&self, offset: usize) -> SourceLocation {
        SourceLocation {
            line: self.line_number,
            column: SourceLocation::of_offset(self.line, offset).column,
        }
    }

    fn required<'m>(
        &mut self,
        member: Option<&'m Member>,
        name: &str,
        object: &Json,
    ) -> Option<&'m Member> {
        if member.is_none() {
            self.report(
                format!("vector has no `{name}`"),
                object.start_span(),
                format!("this vector needs `{name}`"),
                Some(format!("a vector has {FIELDS}")),
            );
        }
        member
    }

    /// Parses an embedded policy from its own text, so that its problems point into the line.
    fn policy(&mut self, member: &Member, name: &str, kind: PolicyKind) -> Option<Arc<Policy>> {
        let start = member.value.span.offset();
        let end = start + member.value.span.len();
        let text = self.line.get(start..end).unwrap_or_default();
        match Policy::parse_as(kind, name, text) {
            Ok(policy) => Some(Arc::new(policy)),
            Err(errors) => {
                for error in errors.errors() {
                    let message = format!("invalid `{}`: {}", member.name, error.message());
                    self.report_policy_problem(message, start, error);
                }
                None
            }
        }
    }

    /// The resource-based policy and its account: `Some(None)` when the vector has none.
    fn resource_policy(
        &mut self,
        found: &VectorMembers<'_>,
        name: &str,
        request: Option<&Request>,
    ) -> Option<Option<ResourcePolicy>> {
        let Some(member) = found.resource_policy else {
            if let Some(account) = found.resource_account {
                self.report(
                    "`resource_account` without `resource_policy`",
                    account.name_span,
                    "names the owner of a resource policy that is not given",
                    Some("add `resource_policy`, or remove `resource_account`".to_owned()),
                );
                return None;
            }
            return Some(None);
        };
        let policy = self.policy(
            member,
            &format!("{name}-resource-policy"),
            PolicyKind::ResourceBased,
        );
        let account = match found.resource_account {
            Some(account) => Some((self.string(account)?, account.value.span)),
            None => None,
        };
        let (policy, request) = (policy?, request?);
        if let Some((account, span)) = &account
            && let Err(problem) = request.check_resource_owner(account)
        {
            self.report(
                format!("`resource_account` `{account}` is not the resource's account"),
                *span,
                problem,
                Some(
                    "leave `resource_account` out for a resource whose ARN names its account; \
                     it is for ARNs without one, such as S3's"
                        .to_owned(),
                ),
            );
            return None;
        }
        let (account, span) = account.unwrap_or_else(|| {
            let owner = request.resource_account().unwrap_or(&request.account_id);
            (owner.to_owned(), member.name_span)
        });
        match ResourcePolicy::new(policy, account) {
            Ok(resource_policy) => Some(Some(resource_policy)),
            Err(error) => {
                self.report(
                    format!("invalid `resource_account`: {error}"),
                    span,
                    "not an account id",
                    Some("write the 12-digit id of the account that owns the resource".to_owned()),
                );
                None
            }
        }
    }

    fn request(&mut self, member: &Member) -> Option<Request> {
        let JsonKind::Object(members) = &member.value.kind else {
            self.wrong_type(member, "an object");
            return None;
        };
        let (mut action, mut resource, mut principal, mut context) = (None, None, None, None);
        for field in members {
            match field.name.as_str() {
                "action" => action = Some(field),
                "resource" => resource = Some(field),
                "principal" => principal = Some(field),
                "context" => context = Some(field),
                name => self.report(
                    format!("unknown request field `{name}`"),
                    field.name_span,
                    "not a request field",
                    Some(format!("a request has {REQUEST_FIELDS}")),
                ),
            }
        }
        let problems_before = self.problems.len();
        let action = self
            .required(action, "request.action", &member.value)
            .and_then(|field| self.checked(field, "action", check_action));
        let resource = self
            .required(resource, "request.resource", &member.value)
            .and_then(|field| self.checked(field, "resource", check_resource));
        let principal_arn = match principal {
            Some(field) => self.checked(field, "principal", |arn| read_caller(arn).map(drop)),
            None => Some(DEFAULT_PRINCIPAL.to_owned()),
        };
        let context = match context {
            Some(field) => self.context(field),
            None => Some((Context::new(), Vec::new())),
        };
        if self.problems.len() > problems_before {
            return None;
        }
        let principal_arn = principal_arn?;
        let (mut context, absent) = context?;
        let caller = read_caller(&principal_arn).ok()?;
        derive_principal_keys(&mut context, &absent, &caller);
        Some(Request {
            account_id: caller.account,
            principal_arn,
            action: action?,
            resource: resource?,
            context,
        })
    }

    /// The string of `member`, a request's `field`, if `check` finds nothing wrong with it.
    fn checked(
        &mut self,
        member: &Member,
        field: &str,
        check: impl Fn(&str) -> Result<(), String>,
    ) -> Option<String> {
        let text = self.string(member)?;
        match check(&text) {
            Ok(()) => Some(text),
            Err(problem) => {
                self.report(
                    format!("invalid request {field} `{text}`: {problem}"),
                    member.value.span,
                    format!("not the {field} of a request"),
                    None,
                );
                None
            }
        }
    }

    /// The context, and the keys given as `null`: absent, and not derived either.
    fn context(&mut self, member: &Member) -> Option<(Context, Vec<String>)> {
        let JsonKind::Object(keys) = &member.value.kind else {
            self.wrong_type(member, "an object of condition keys");
            return None;
        };
        let mut context = Context::new();
        let mut absent = Vec::new();
        let mut complete = true;
        let mut seen: HashMap<String, &str> = HashMap::new();
        for key in keys {
            // Key names ignore letter case, so two spellings of one key would be one key with
            // whichever value came last.
            if let Some(first) = seen.insert(key.name.to_ascii_lowercase(), &key.name) {
                self.report(
                    format!(
                        "condition key `{}` given twice: `{first}` is the same key in another \
                         letter case",
                        key.name
                    ),
                    key.name_span,
                    "the same key again",
                    Some("condition key names ignore letter case; keep one of them".to_owned()),
                );
                complete = false;
                continue;
            }
            if let Err(problem) = check_context_key(&key.name) {
                self.report(
                    format!("invalid context key: {problem}"),
                    key.name_span,
                    "not a condition key",
                    None,
                );
                complete = false;
                continue;
            }
            if key.value.kind == JsonKind::Null {
                absent.push(key.name.to_ascii_lowercase());
                continue;
            }
            let value = match &key.value.kind {
                JsonKind::Array(items) => items
                    .iter()
                    .map(|item| self.context_text(&key.name, item))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(ContextValue::Multi),
                _ => self
                    .context_text(&key.name, &key.value)
                    .map(ContextValue::Single),
            };
            match value {
                Some(value) => context.insert(key.name.clone(), value),
                None => complete = false,
            }
        }
        complete.then_some((context, absent))
    }

    /// A context value as text: strings as they are, numbers and booleans as written.
    ///
    /// A request carries its values as text, and the numeric operators read decimal digits
    /// only, so a number written with an exponent is refused rather than left never to match.
    fn context_text(&mut self, key: &str, value: &Json) -> Option<String> {
        match &value.kind {
            JsonKind::Number(text) if text.contains(['e', 'E']) => {
                self.report(
                    format!("context key `{key}`: number `{text}` written with an exponent"),
                    value.span,
                    "exponent",
                    Some(
                        "write the number in decimal digits, as a request carries it (`100`, \
                         `0.5`)"
                            .to_owned(),
                    ),
                );
                None
            }
            JsonKind::String(text) | JsonKind::Number(text) => Some(text.clone()),
            JsonKind::Bool(value) => Some(value.to_string()),
            JsonKind::Array(_) | JsonKind::Object(_) | JsonKind::Null => {
                self.report(
                    format!("invalid value of context key `{key}`"),
                    value.start_span(),
                    format!("found {}", value.kind_name()),
                    Some(
                        "a context value is a string, a number, a boolean, or an array of \
                         them for a multi-valued key; leave an absent key out, or give it as \
                         `null`"
                            .to_owned(),
                    ),
                );
                None
            }
        }
    }

    fn expected(&mut self, member: &Member) -> Option<Decision> {
        let text = self.string(member)?;
        match text.as_str() {
            "Allow" => Some(Decision::Allow),
            "Deny" => Some(Decision::Deny),
            _ => {
                self.report(
                    format!("invalid expectation `{text}`"),
                    member.value.span,
                    "expected `Allow` or `Deny`",
                    Some(
                        "write `Allow` or `Deny` exactly so, with a capital first letter and \
                         the rest in lowercase"
                            .to_owned(),
                    ),
                );
                None
            }
        }
    }

    fn doc_links(&mut self, member: &Member) -> Vec<String> {
        match &member.value.kind {
            JsonKind::String(link) => vec![link.clone()],
            JsonKind::Array(items) => items
                .iter()
                .filter_map(|item| match &item.kind {
                    JsonKind::String(link) => Some(link.clone()),
                    _ => {
                        self.report(
                            "`aws_doc` must hold only strings",
                            item.start_span(),
                            format!("found {}", item.kind_name()),
                            None,
                        );
                        None
                    }
                })
                .collect(),
            _ => {
                self.wrong_type(member, "a string or an array of strings");
                Vec::new()
            }
        }
    }

    fn string(&mut self, member: &Member) -> Option<String> {
        match &member.value.kind {
            JsonKind::String(text) => Some(text.clone()),
            _ => {
                self.wrong_type(member, "a string");
                None
            }
        }
    }

    fn wrong_type(&mut self, member: &Member, expected: &str) {
        self.report(
            format!("`{}` must be {expected}", member.name),
            member.value.start_span(),
            format!("found {}", member.value.kind_name()),
            None,
        );
    }

    /// Reports a problem found by the policy or JSON layer in text starting at `start` in the
    /// line.
    fn report_policy_problem(&mut self, message: String, start: usize, problem: &PolicyError) {
        let at = span(start + problem.span().offset(), problem.span().len());
        let help = problem.help().map(str::to_owned);
        self.report(message, at, problem.label(), help);
    }

    /// Records a problem about `at`, a span of the line.
    fn report(
        &mut self,
        message: impl Into<String>,
        at: SourceSpan,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        let offset = self.offset + at.offset();
        let mut problem = SourceProblem::new(message, span(offset, at.len()), label);
        if let Some(help) = help {
            problem = problem.with_help(help);
        }
        self.problems.push(problem);
    }
}

#[cfg(test)]
mod tests;
