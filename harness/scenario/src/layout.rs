//! The policy set under test: the SCP documents and where the layout file attaches them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, SourceSpan};
use scpcheck_policy::{
    AttachedPolicy, LevelKind, LintSeverity, NotUtf8, OrgLevel, Organization, Policy, PolicyErrors,
    SourceText, decode_utf8, lint_scp,
};
use serde::Deserialize;
use toml::Spanned;

/// The name of the AWS-managed policy that allows everything.
pub const FULL_AWS_ACCESS: &str = "FullAWSAccess";

/// The text of `FullAWSAccess` as AWS publishes it.
pub const FULL_AWS_ACCESS_TEXT: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Action": "*", "Resource": "*" }]
}"#;

/// The layout file's name inside the policy directory.
pub const LAYOUT_FILE: &str = "layout.toml";

/// Where policies are attached: the root, OUs (each under the root or another OU), one account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Policies attached to the organization root.
    pub root: LevelPolicies,
    /// Organizational units, parents before children.
    #[serde(default)]
    pub organizational_unit: Vec<OrganizationalUnit>,
    /// The member account the harness works in.
    pub account: Account,
}

/// The policies attached at the root.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelPolicies {
    /// Policy names: `FullAWSAccess` or a file stem under the policy directory.
    pub policies: Vec<String>,
}

/// One organizational unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationalUnit {
    /// The OU's name, unique in the layout.
    pub name: String,
    /// The parent OU's name; the root when absent.
    pub parent: Option<String>,
    /// Policy names attached to this OU.
    pub policies: Vec<String>,
}

/// The member account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The account's name.
    pub name: String,
    /// The OU that holds the account; the root when absent.
    pub organizational_unit: Option<String>,
    /// Policy names attached to the account.
    pub policies: Vec<String>,
}

/// One policy document of the set, with its source text.
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    /// The policy's name (file stem, or `FullAWSAccess`).
    pub name: String,
    /// Where it was read from; `None` for the AWS-managed `FullAWSAccess`.
    pub path: Option<PathBuf>,
    /// The document text as read.
    pub text: String,
    /// The parsed policy.
    pub policy: Arc<Policy>,
}

/// The policies under test and their layout.
#[derive(Debug, Clone)]
pub struct PolicySet {
    /// The directory the set was read from.
    pub dir: PathBuf,
    /// The layout file's content.
    pub layout: Layout,
    /// The layout file's text, kept for hashing into evidence.
    pub layout_text: String,
    /// Every policy the layout names, by name.
    pub documents: BTreeMap<String, PolicyDocument>,
}

/// Why a policy set could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum PolicySetError {
    /// A file could not be read.
    #[error("cannot read `{path}`: {error}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The layout file or a policy file is not UTF-8 text.
    #[error(transparent)]
    #[diagnostic(transparent)]
    NotUtf8(Box<NotUtf8>),
    /// The layout file is not valid.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Layout(Box<LayoutError>),
    /// A policy document parses but AWS Organizations would refuse it as an SCP.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Refused(Box<LayoutError>),
    /// A policy document is not valid.
    #[error("invalid policy `{name}`")]
    Policy {
        /// The policy's name.
        name: String,
        /// Every problem found in it.
        #[related]
        errors: Vec<PolicyErrors>,
    },
}

/// A problem in the layout file, with its place.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("invalid {what} `{path}`: {message}")]
pub struct LayoutError {
    /// What the file is: `layout file`, or `SCP` for a policy Organizations would refuse.
    pub what: &'static str,
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The file's text.
    #[source_code]
    pub source_code: SourceText<String>,
    /// Where.
    #[label("here")]
    pub span: Option<SourceSpan>,
    /// Advice.
    #[help]
    pub help: Option<String>,
}

impl PolicySet {
    /// Reads `dir/layout.toml` and every policy it names from `dir/<name>.json`.
    pub fn load(dir: &Path) -> Result<PolicySet, Vec<PolicySetError>> {
        let layout_path = dir.join(LAYOUT_FILE);
        let layout_text = read(&layout_path).map_err(|error| vec![error])?;
        let (layout, mut errors) = parse_layout(&layout_path, &layout_text)?;

        // The policies are read even when the layout's content has problems, so that theirs
        // are reported in the same pass; a name the layout check refused is left out.
        let mut documents = BTreeMap::new();
        let readable = |name: &str| {
            name == FULL_AWS_ACCESS
                || (is_policy_name(name) && dir.join(format!("{name}.json")).is_file())
        };
        for name in layout.policy_names() {
            if !readable(&name) {
                continue;
            }
            match load_document(dir, &name) {
                Ok(document) => {
                    documents.insert(name, document);
                }
                Err(problems) => errors.extend(problems),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        Ok(PolicySet {
            dir: dir.to_path_buf(),
            layout,
            layout_text,
            documents,
        })
    }

    /// The organization as the reference evaluator sees it, with the given identifiers for the
    /// root, each OU (by name) and the account.
    pub fn organization(&self, ids: &OrganizationIds) -> Organization {
        let mut levels = vec![self.level(&ids.root, LevelKind::Root, &self.layout.root.policies)];
        for unit in self.layout.account_path() {
            let id = ids
                .organizational_units
                .get(&unit.name)
                .cloned()
                .unwrap_or_else(|| format!("ou-{}", unit.name));
            levels.push(self.level(&id, LevelKind::OrganizationalUnit, &unit.policies));
        }
        let account = &self.layout.account.policies;
        levels.push(self.level(&ids.account, LevelKind::Account, account));

        Organization {
            management_account_id: ids.management_account.clone(),
            levels,
        }
    }

    fn level(&self, id: &str, kind: LevelKind, names: &[String]) -> OrgLevel {
        let policies = names
            .iter()
            .filter_map(|name| self.documents.get(name))
            .map(|document| AttachedPolicy {
                name: document.name.clone(),
                policy: Arc::clone(&document.policy),
            })
            .collect();
        OrgLevel {
            target_id: id.to_string(),
            kind,
            policies,
        }
    }
}

/// Identifiers of the organization's parts, as the emulator (or AWS) assigned them.
#[derive(Debug, Clone, Default)]
pub struct OrganizationIds {
    /// The management account.
    pub management_account: String,
    /// The root, e.g. `r-ab12`.
    pub root: String,
    /// OU name to OU id.
    pub organizational_units: BTreeMap<String, String>,
    /// The member account.
    pub account: String,
}

impl Layout {
    /// Every policy name the layout mentions, without repeats, in order of first mention.
    pub fn policy_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let all = self
            .root
            .policies
            .iter()
            .chain(
                self.organizational_unit
                    .iter()
                    .flat_map(|unit| &unit.policies),
            )
            .chain(&self.account.policies);
        for name in all {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// The OUs from the root down to the account's OU.
    pub fn account_path(&self) -> Vec<&OrganizationalUnit> {
        let mut path = Vec::new();
        let mut next = self.account.organizational_unit.as_deref();
        while let Some(name) = next {
            let Some(unit) = self.unit(name) else { break };
            if path
                .iter()
                .any(|seen: &&OrganizationalUnit| seen.name == unit.name)
            {
                break;
            }
            path.push(unit);
            next = unit.parent.as_deref();
        }
        path.reverse();
        path
    }

    fn unit(&self, name: &str) -> Option<&OrganizationalUnit> {
        self.organizational_unit
            .iter()
            .find(|unit| unit.name == name)
    }
}

fn read(path: &Path) -> Result<String, PolicySetError> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| PolicySetError::Read {
        path: display.clone(),
        error,
    })?;
    decode_utf8(&display, bytes).map_err(|problem| PolicySetError::NotUtf8(Box::new(problem)))
}

/// Where each value of a layout is in its file, read alongside the layout so that a problem
/// underlines the very value it is about, not another one with the same text.
#[derive(Deserialize)]
struct Places {
    root: LevelPlaces,
    #[serde(default)]
    organizational_unit: Vec<UnitPlaces>,
    account: AccountPlaces,
}

#[derive(Deserialize)]
struct LevelPlaces {
    policies: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
struct UnitPlaces {
    name: Spanned<String>,
    parent: Option<Spanned<String>>,
    policies: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
struct AccountPlaces {
    organizational_unit: Option<Spanned<String>>,
    policies: Vec<Spanned<String>>,
}

/// One root, OU or account of a layout: what to call it in a message, where it is declared,
/// and the policy names attached to it with their places.
struct LevelPlace<'a> {
    what: String,
    declared: Option<SourceSpan>,
    policies: &'a [Spanned<String>],
}

impl Places {
    /// Every level, root first and account last; `text` is the layout's, for the table headers
    /// that declare the root and the account.
    fn levels<'a>(&'a self, text: &str) -> Vec<LevelPlace<'a>> {
        let header = |table: &str| {
            text.find(table)
                .map(|start| SourceSpan::from(start..start + table.len()))
        };
        let mut levels = vec![LevelPlace {
            what: "the root".to_owned(),
            declared: header("[root]"),
            policies: &self.root.policies,
        }];
        levels.extend(self.organizational_unit.iter().map(|unit| LevelPlace {
            what: format!("OU `{}`", unit.name.get_ref()),
            declared: place(&unit.name),
            policies: &unit.policies,
        }));
        levels.push(LevelPlace {
            what: "the account".to_owned(),
            declared: header("[account]"),
            policies: &self.account.policies,
        });
        levels
    }
}

/// The span of a value read with its place.
fn place(value: &Spanned<String>) -> Option<SourceSpan> {
    Some(SourceSpan::from(value.span()))
}

/// Reads the layout; `Err` when it cannot be read at all, else the layout with the problems of
/// its content.
fn parse_layout(
    path: &Path,
    text: &str,
) -> Result<(Layout, Vec<PolicySetError>), Vec<PolicySetError>> {
    let display = path.display().to_string();
    let layout_error = |message: String, span: Option<SourceSpan>, help: Option<String>| {
        PolicySetError::Layout(Box::new(LayoutError {
            what: "layout file",
            path: display.clone(),
            message,
            source_code: SourceText::new(display.clone(), text.to_string()),
            span,
            help,
        }))
    };

    let layout: Layout = toml::from_str(text).map_err(|error| {
        let span = error
            .span()
            .map(|range| SourceSpan::from(range.start..range.end));
        vec![layout_error(error.message().to_string(), span, None)]
    })?;

    // The layout has just been read, so reading it again with places succeeds too.
    let places: Places = toml::from_str(text)
        .map_err(|error| vec![layout_error(error.message().to_string(), None, None)])?;

    // Every problem of the layout's content is reported at once.
    let mut problems = check_policy_names(&places, path, text);
    problems.extend(check_every_level_has_a_policy(&places, text));
    problems.extend(check_attachment_quota(&places, text));
    problems.extend(check_units(&places));
    if let Some(unit) = &places.account.organizational_unit
        && layout.unit(unit.get_ref()).is_none()
    {
        let message = format!(
            "the account is placed in an unknown OU `{}`",
            unit.get_ref()
        );
        let help = Some("declare it as an `[[organizational_unit]]` table".to_string());
        problems.push((message, place(unit), help));
    }
    let problems = problems
        .into_iter()
        .map(|(message, span, help)| layout_error(message, span, help))
        .collect();
    Ok((layout, problems))
}

/// Whether `name` can name a policy file beside the layout: letters, digits, `-`, `_` and `.`,
/// not starting with `.` (so no path).
fn is_policy_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

type NameProblem = (String, Option<SourceSpan>, Option<String>);

/// AWS Organizations User Guide, orgs_manage_policies_scps_attach.html: while SCPs are enabled,
/// every root, OU and account has at least one SCP attached (the last one cannot be detached),
/// so a layout level without a policy describes no organization AWS can have.
fn check_every_level_has_a_policy(places: &Places, text: &str) -> Vec<NameProblem> {
    places
        .levels(text)
        .into_iter()
        .filter(|level| level.policies.is_empty())
        .map(|level| {
            (
                format!("{} has no policy attached", level.what),
                level.declared,
                Some(
                    "AWS Organizations keeps at least one SCP on every root, OU and account; \
                     attach `FullAWSAccess` to allow what the other SCPs do not deny"
                        .to_owned(),
                ),
            )
        })
        .collect()
}

/// AWS Organizations User Guide, orgs_reference_limits.html: at most 5 SCPs are attached to a
/// root, OU or account (`FullAWSAccess` counts), so a layout with more describes no organization
/// AWS can have.
const MAX_SCPS_PER_TARGET: usize = 5;

/// The same page: OUs nest at most five deep under the root.
const MAX_OU_DEPTH: usize = 5;

fn check_attachment_quota(places: &Places, text: &str) -> Vec<NameProblem> {
    places
        .levels(text)
        .into_iter()
        .filter(|level| level.policies.len() > MAX_SCPS_PER_TARGET)
        .map(|level| {
            (
                format!(
                    "{} has {} SCPs attached; AWS Organizations attaches at most \
                     {MAX_SCPS_PER_TARGET} to a root, OU or account",
                    level.what,
                    level.policies.len()
                ),
                level.policies.get(MAX_SCPS_PER_TARGET).and_then(place),
                Some(
                    "attach some of them at another level of the account's path (the root, a \
                     parent OU or the account), or merge SCPs into one document"
                        .to_owned(),
                ),
            )
        })
        .collect()
}

/// Each OU is named once, names a parent declared before it (so the OUs form a tree), and lies
/// at most [`MAX_OU_DEPTH`] deep.
fn check_units(places: &Places) -> Vec<NameProblem> {
    let mut problems = Vec::new();
    let mut depths: BTreeMap<&str, usize> = BTreeMap::new();
    let declared = |name: &str| {
        places
            .organizational_unit
            .iter()
            .any(|unit| unit.name.get_ref() == name)
    };
    for unit in &places.organizational_unit {
        let name = unit.name.get_ref();
        if depths.contains_key(name.as_str()) {
            problems.push((
                format!("OU `{name}` is declared twice"),
                place(&unit.name),
                Some("give each `[[organizational_unit]]` its own name".to_owned()),
            ));
            continue;
        }
        let depth = match &unit.parent {
            None => 1,
            Some(parent) => match depths.get(parent.get_ref().as_str()) {
                Some(depth) => depth + 1,
                None => {
                    let parent_name = parent.get_ref();
                    let declared_later = declared(parent_name);
                    let message = if declared_later {
                        format!("OU `{name}` names parent `{parent_name}`, declared after it")
                    } else {
                        format!("OU `{name}` names an unknown parent `{parent_name}`")
                    };
                    let help = declared_later.then(|| {
                        "declare each OU after its parent, so that the OUs form a tree".to_owned()
                    });
                    problems.push((message, place(parent), help));
                    continue;
                }
            },
        };
        if depth > MAX_OU_DEPTH {
            problems.push((
                format!(
                    "OU `{name}` lies {depth} levels deep; AWS Organizations nests OUs at most \
                     {MAX_OU_DEPTH} deep under the root"
                ),
                place(&unit.name),
                None,
            ));
        }
        depths.insert(name, depth);
    }
    problems
}

/// Every attached name must be `FullAWSAccess` or the stem of a `.json` file beside the layout
/// file (letters, digits, `-`, `_`, `.`; no path), attached at most once per level.
fn check_policy_names(places: &Places, path: &Path, text: &str) -> Vec<NameProblem> {
    let mut problems = Vec::new();
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    for level in places.levels(text) {
        let names = level.policies;
        for (index, spanned) in names.iter().enumerate() {
            let name = spanned.get_ref();
            if !is_policy_name(name) {
                let message = format!("`{name}` is not a policy name");
                let help = "name a file `<name>.json` beside the layout file, without a path";
                problems.push((message, place(spanned), Some(help.to_string())));
                continue;
            }
            if names
                .iter()
                .take(index)
                .any(|earlier| earlier.get_ref() == name)
            {
                let message = format!("`{name}` is attached twice to the same target");
                problems.push((message, place(spanned), None));
                continue;
            }
            let file = dir.join(format!("{name}.json"));
            if name != FULL_AWS_ACCESS && !file.is_file() {
                let message = format!("no policy file `{}` for `{name}`", file.display());
                let help = format!(
                    "policies are `<name>.json` files beside `{LAYOUT_FILE}`, \
                     or `{FULL_AWS_ACCESS}`"
                );
                problems.push((message, place(spanned), Some(help)));
            }
        }
    }
    problems
}

fn load_document(dir: &Path, name: &str) -> Result<PolicyDocument, Vec<PolicySetError>> {
    let (path, text) = if name == FULL_AWS_ACCESS {
        (None, FULL_AWS_ACCESS_TEXT.to_string())
    } else {
        let path = dir.join(format!("{name}.json"));
        let text = read(&path).map_err(|error| vec![error])?;
        (Some(path), text)
    };
    let source_name = path
        .as_ref()
        .map_or_else(|| name.to_string(), |path| path.display().to_string());
    let policy = Policy::parse(&source_name, &text).map_err(|errors| {
        vec![PolicySetError::Policy {
            name: name.to_string(),
            errors: vec![errors],
        }]
    })?;

    let refusals: Vec<PolicySetError> = lint_scp(&policy, &text)
        .into_iter()
        .filter(|finding| finding.severity() == LintSeverity::Error)
        .map(|finding| {
            PolicySetError::Refused(Box::new(LayoutError {
                what: "SCP",
                path: source_name.clone(),
                message: format!("AWS Organizations would refuse it: {}", finding.message()),
                source_code: SourceText::new(source_name.clone(), text.clone()),
                span: Some(finding.span()),
                help: finding.help().map(str::to_string),
            }))
        })
        .collect();
    if !refusals.is_empty() {
        return Err(refusals);
    }

    Ok(PolicyDocument {
        name: name.to_string(),
        path,
        text,
        policy: Arc::new(policy),
    })
}
