//! Upgrade findings located in both releases. A rule reports on an object of the new
//! release as usual, or on an object only the previous release has (data loss, a removed
//! PodDisruptionBudget) as `resource = input.previous.offset + j`; a related place may be in
//! the previous release the same way. Each is located by the release it belongs to (its own
//! files and template lines), and every upgrade finding on an object both releases have
//! gets the previous release's line of the same field as a related location (SARIF
//! `relatedLocations`), so a reviewer sees before and after.

use crate::evaluate::policy::{PolicySet, Scope};
use crate::evaluate::{Related, Violation};
use crate::files::SourceFile;
use crate::findings;
use crate::model::{Finding, Location, RelatedLocation, Target};
use crate::parse::Resource;
use crate::provenance::SourceMap;
use crate::suppress::{self, ConfigRules};
use crate::upgrade::{diff::Pairing, Previous};
use std::collections::{BTreeMap, HashMap};

/// The release a run judges, with its files and source map.
pub(crate) struct Side<'a> {
    pub(crate) resources: &'a [Resource],
    pub(crate) files: &'a [SourceFile],
    pub(crate) map: &'a dyn SourceMap,
}

/// What the previous release's findings need from the run.
pub(crate) struct Judged<'a> {
    pub(crate) policies: &'a PolicySet,
    pub(crate) known_rules: &'a [&'a str],
    pub(crate) suppressions: &'a ConfigRules,
    pub(crate) today: &'a str,
}

/// Violations on previous objects and previous related places, taken out of `violations`
/// (which then only names objects of the new release), with their indexes made the
/// previous release's.
pub(crate) struct Split {
    on_previous: Vec<Violation>,
    /// (rule, target, message) of a violation → its related places in the previous release.
    related: BTreeMap<(usize, Target, String), Vec<Related>>,
}

pub(crate) fn split(violations: &mut Vec<Violation>, offset: usize) -> Split {
    let mut out = Split {
        on_previous: Vec::new(),
        related: BTreeMap::new(),
    };
    for mut v in std::mem::take(violations) {
        let (before, now): (Vec<Related>, Vec<Related>) = v
            .related
            .drain(..)
            .partition(|r| r.target.resource >= offset);
        let before: Vec<Related> = before
            .into_iter()
            .map(|mut r| {
                r.target.resource -= offset;
                r
            })
            .collect();
        if v.target.resource >= offset {
            v.target.resource -= offset;
            // Places in the new release cannot be shown beside a previous object's finding.
            v.related = before;
            out.on_previous.push(v);
        } else {
            v.related = now;
            if !before.is_empty() {
                out.related
                    .insert((v.rule, v.target.clone(), v.message.clone()), before);
            }
            violations.push(v);
        }
    }
    out
}

/// Locates the findings on previous objects, and adds the previous release's places to
/// the upgrade findings of `findings` (the new release's, already located).
pub(crate) fn locate(
    judged: &Judged<'_>,
    findings: &mut Vec<Finding>,
    split: Split,
    previous: &Previous,
    pairing: &Pairing,
) {
    let before = Side {
        resources: &previous.resources,
        files: &previous.files,
        map: previous.map.as_ref(),
    };
    let was: HashMap<usize, usize> = pairing
        .pairs
        .iter()
        .map(|p| (p.current, p.previous))
        .collect();
    let shown = format!("the previous release ({})", previous.source);
    // Each upgrade finding's places in the previous release: those its rule named, else
    // the same field of the same object.
    let mut asked: Vec<Violation> = Vec::new();
    let mut wants: Vec<Vec<(Target, String)>> = Vec::new();
    for f in findings.iter() {
        let upgrade = judged
            .policies
            .rules
            .get(f.rule_index)
            .is_some_and(|r| r.meta.scope == Scope::Upgrade);
        let named = split
            .related
            .get(&(f.rule_index, f.target.clone(), f.message.clone()));
        let places: Vec<(Target, String)> = match (named, was.get(&f.target.resource)) {
            (Some(rel), _) => rel
                .iter()
                .map(|r| (r.target.clone(), r.message.clone()))
                .collect(),
            (None, Some(&j)) if upgrade => vec![(
                Target {
                    resource: j,
                    path: f.target.path.clone(),
                },
                format!("in {shown}"),
            )],
            _ => Vec::new(),
        };
        for (target, message) in &places {
            asked.push(Violation {
                rule: f.rule_index,
                target: target.clone(),
                message: message.clone(),
                related: Vec::new(),
                severity: None,
            });
        }
        wants.push(places);
    }
    let located = findings::locate_all(
        judged.policies,
        before.resources,
        before.files,
        &asked,
        before.map,
    );
    let by_place: BTreeMap<(Target, String), &Finding> = located
        .iter()
        .map(|f| ((f.target.clone(), f.message.clone()), f))
        .collect();
    for (f, places) in findings.iter_mut().zip(wants) {
        for place in places {
            if let Some(at) = by_place.get(&place) {
                f.related.push(RelatedLocation {
                    object: at.object.clone(),
                    path: at.path.clone(),
                    message: at.message.clone(),
                    location: shown_location(&at.location, previous),
                    rendered: at.rendered.as_ref().map(|l| shown_location(l, previous)),
                    target: at.target.clone(),
                });
            }
        }
    }
    // Findings on objects only the previous release has, located there and suppressed by
    // the previous objects' own annotations and the config.
    let mut gone = findings::locate_all(
        judged.policies,
        before.resources,
        before.files,
        &split.on_previous,
        before.map,
    );
    let (inline, _) = suppress::inline(before.resources, judged.known_rules, judged.today);
    suppress::apply(&mut gone, &inline, judged.suppressions);
    for f in gone.iter_mut() {
        f.location = shown_location(&f.location, previous);
        f.rendered = f.rendered.as_ref().map(|l| shown_location(l, previous));
        for r in f.related.iter_mut() {
            r.location = shown_location(&r.location, previous);
        }
        // Its target indexes the previous release, which snippets and redaction of the new
        // one must not read: the previous files are never shown, only their lines named.
        f.sensitive = false;
    }
    findings.extend(gone);
    // Most severe first, as `locate_all` orders them (a stable sort keeps the rest).
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
}

/// A previous place as people find it: `origin/main:charts/app/templates/x.yaml` rather
/// than the temporary checkout it was rendered from.
fn shown_location(l: &Location, previous: &Previous) -> Location {
    Location {
        file: previous.shown(&l.file),
        ..l.clone()
    }
}
