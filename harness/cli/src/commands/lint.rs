//! `scpcheck lint`: checks SCP documents against the rules AWS Organizations applies and
//! against likely mistakes, printing each finding with its place in the file.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::{Diagnostic, Report};
use scpcheck_policy::{LintOptions, LintSeverity, Policy, ScpLanguage, SourceText, lint_scp_with};

use super::{print_stdout, read_text, render};
use crate::exit_codes;

/// Arguments of `scpcheck lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files, or directories whose `*.json` files are checked.
    #[arg(value_name = "FILE_OR_DIR", default_value = "policies")]
    paths: Vec<PathBuf>,

    /// The SCP language AWS Organizations accepts where the policies are attached.
    #[arg(long, value_enum, default_value_t = ScpLanguageArg::Full)]
    scp_language: ScpLanguageArg,

    /// The largest SCP size in characters, white space included; the default is the quota AWS
    /// Organizations documents.
    #[arg(long, value_name = "CHARACTERS", default_value_t = LintOptions::default().max_size)]
    max_size: usize,
}

/// The values of `--scp-language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ScpLanguageArg {
    /// The full IAM policy language, in the AWS commercial and AWS GovCloud (US) Regions.
    Full,
    /// The earlier SCP language: an `Allow` statement has only `Action` with `"Resource": "*"`,
    /// and a wildcard in an action stands alone or at its end.
    Restricted,
}

impl From<ScpLanguageArg> for ScpLanguage {
    fn from(language: ScpLanguageArg) -> Self {
        match language {
            ScpLanguageArg::Full => ScpLanguage::Full,
            ScpLanguageArg::Restricted => ScpLanguage::Restricted,
        }
    }
}

/// What the findings of all files add up to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    files: usize,
    errors: usize,
    warnings: usize,
}

/// Runs `scpcheck lint`; returns invalid input when a file cannot be read, does not parse or
/// has an error-severity finding, success otherwise (warnings are printed). Every file is
/// checked, whatever the files before it hold.
pub fn run(args: &LintArgs) -> i32 {
    let files = policy_files(&args.paths);
    let options = LintOptions {
        language: args.scp_language.into(),
        max_size: args.max_size,
    };
    let terminal = std::io::stdout().is_terminal();
    let mut tally = Tally::default();
    for file in &files {
        let file = match file {
            Ok(file) => file,
            Err(message) => {
                // A directory without policies is an error, but no file was checked.
                print_stdout(&format!("error: {message}\n"));
                tally.errors += 1;
                continue;
            }
        };
        match read_text(file) {
            Ok(text) => lint_file(file, text, &options, terminal, &mut tally),
            Err(message) => {
                // A file that cannot be read counts as checked, with one error, reported with
                // the findings so that the report on stdout is complete.
                print_stdout(&format!("error: {message}\n"));
                tally.files += 1;
                tally.errors += 1;
            }
        }
    }
    print_stdout(&format!(
        "{} checked: {}, {}\n",
        plural(tally.files, "file"),
        plural(tally.errors, "error"),
        plural(tally.warnings, "warning"),
    ));
    if tally.errors == 0 {
        exit_codes::SUCCESS
    } else {
        exit_codes::INVALID_INPUT
    }
}

/// The files to check: each file as given, and the `*.json` files of each directory in name
/// order (not those of its subdirectories); a directory that cannot be read or holds no such
/// file is a problem in its place, and the other paths are still checked.
fn policy_files(paths: &[PathBuf]) -> Vec<Result<PathBuf, String>> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(Ok(path.clone()));
            continue;
        }
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(error) => {
                files.push(Err(format!("cannot read `{}`: {error}", path.display())));
                continue;
            }
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            // A link to nothing is kept, so that it is reported as unreadable like any other
            // file that cannot be read, rather than left out without a word.
            .filter(|file| {
                let dangling = !file.exists() && file.is_symlink();
                (file.is_file() || dangling) && file.extension().is_some_and(|ext| ext == "json")
            })
            .collect();
        if found.is_empty() {
            files.push(Err(format!(
                "no `*.json` policy files in `{}`",
                path.display()
            )));
        }
        found.sort();
        files.extend(found.into_iter().map(Ok));
    }
    files
}

fn lint_file(path: &Path, text: String, options: &LintOptions, terminal: bool, tally: &mut Tally) {
    tally.files += 1;
    let name = path.display().to_string();
    let policy = match Policy::parse(&name, &text) {
        Ok(policy) => policy,
        Err(errors) => {
            tally.errors += errors.errors().len();
            print_stdout(&render(&errors, terminal));
            return;
        }
    };
    let findings = lint_scp_with(&policy, &text, options);
    if findings.is_empty() {
        return;
    }
    let source = SourceText::new(name, text);
    for finding in findings {
        match finding.severity() {
            LintSeverity::Error => tally.errors += 1,
            LintSeverity::Warning => tally.warnings += 1,
        }
        let report = Report::new(finding).with_source_code(source.clone());
        let diagnostic: &dyn Diagnostic = &*report;
        print_stdout(&render(diagnostic, terminal));
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("{count} {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
