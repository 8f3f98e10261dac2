//! `chartguard policy test`: regorus has no test runner, so this is ours. Every `test_*` rule
//! of every `*_test.rego` file passes when it evaluates to `true`.

use super::policy::PolicySet;
use anyhow::{anyhow, Result};

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TestResult {
    pub(crate) file: String,
    pub(crate) name: String,
    /// `None` when it passed; why it failed otherwise.
    pub(crate) failure: Option<String>,
    pub(crate) micros: u128,
}

/// `test_*` rule names defined in a Rego file (each once, in order of appearance).
pub(crate) fn test_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test_") else {
            continue;
        };
        let ident: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let name = format!("test_{ident}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Runs every test of the set. An engine error (a test that does not compile) is a failure
/// of every test in that file, not a crash of the run.
pub(crate) fn run(policies: &PolicySet) -> Result<Vec<TestResult>> {
    let rules: Vec<&super::policy::Rule> = policies.rules.iter().collect();
    let base = super::engine_for(policies, &rules)?;
    let mut results = Vec::new();
    for (file, text) in &policies.tests {
        let package =
            super::policy::package_of(text).ok_or_else(|| anyhow!("{file}: no `package` line"))?;
        let names = test_names(text);
        let mut engine = base.clone();
        if let Err(e) = engine.add_policy(file.clone(), text.clone()) {
            for name in &names {
                results.push(TestResult {
                    file: file.clone(),
                    name: name.clone(),
                    failure: Some(format!("does not compile: {e}")),
                    micros: 0,
                });
            }
            if names.is_empty() {
                results.push(TestResult {
                    file: file.clone(),
                    name: "(file)".into(),
                    failure: Some(format!("does not compile: {e}")),
                    micros: 0,
                });
            }
            continue;
        }
        for name in names {
            let started = std::time::Instant::now();
            let failure = match engine.eval_rule(format!("data.{package}.{name}")) {
                Ok(regorus::Value::Bool(true)) => None,
                Ok(regorus::Value::Undefined) => {
                    Some("undefined (a condition did not hold)".to_string())
                }
                Ok(other) => Some(format!("evaluated to {other}, not true")),
                Err(e) => Some(format!("error: {e}")),
            };
            results.push(TestResult {
                file: file.clone(),
                name,
                failure,
                micros: started.elapsed().as_micros(),
            });
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_rules() {
        let text = "package x_test\n\ntest_a if { true }\ntest_b if {\n  false\n}\ntest_a if { 1 == 1 }\nnot_test_c if true\n";
        assert_eq!(test_names(text), vec!["test_a", "test_b"]);
    }
}
