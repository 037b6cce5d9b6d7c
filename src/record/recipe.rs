//! `--from-report DIR`: the "next capture" an earlier report asked for,
//! read from its `report.json` (`comparisons[].next_capture.recipe`).

use std::path::Path;

use super::{
    error::RecordError,
    setup::{Plan, Tracer},
};
use crate::analyse::next::Recipe;

/// The first comparison's recipe in `dir/report.json`.
pub fn load(dir: &Path) -> Result<Recipe, RecordError> {
    let path = dir.join("report.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| RecordError::Usage(format!("--from-report: {}: {e}", path.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        RecordError::Usage(format!(
            "--from-report: {}: not a report ({e})",
            path.display()
        ))
    })?;
    let recipe = json["comparisons"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|c| c["next_capture"].get("recipe"))
        .ok_or_else(|| {
            RecordError::Usage(format!(
                "--from-report: {} has no next-capture recipe (it needs a comparison with a divergence, from tracereport with this version's schema)",
                path.display()
            ))
        })?;
    serde_json::from_value(recipe.clone()).map_err(|e| {
        RecordError::Usage(format!(
            "--from-report: {}: bad recipe ({e})",
            path.display()
        ))
    })
}

/// Put the recipe into `plan` (its syscalls and graph functions are added
/// to those given on the command line).
pub fn apply(recipe: &Recipe, plan: &mut Plan) {
    plan.tracer = match recipe.tracer.as_str() {
        "function" => Tracer::Function,
        "nop" => Tracer::Nop,
        _ => Tracer::FunctionGraph,
    };
    for g in &recipe.graph_functions {
        if !plan.graph_functions.contains(g) {
            plan.graph_functions.push(g.clone());
        }
    }
    for s in &recipe.syscalls {
        if !plan.syscalls.contains(s) {
            plan.syscalls.push(s.clone());
        }
    }
    plan.depth = plan.depth.or(Some(recipe.max_graph_depth));
    plan.retval |= recipe.options.iter().any(|o| o == "funcgraph-retval");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipe_from_report_json() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("report.json"),
            r#"{"comparisons":[{"next_capture":{"tracefs":"…","recipe":{"tracer":"function_graph","graph_functions":["__sys_bpf"],"max_graph_depth":0,"syscalls":["bpf"],"options":["funcgraph-retval","funcgraph-proc"]}}}]}"#,
        )
        .unwrap();
        let r = load(dir.path()).unwrap();
        let mut plan = Plan {
            tracer: Tracer::Nop,
            syscalls: vec!["openat".into()],
            graph_functions: vec![],
            depth: None,
            retval: false,
            buffer_kb: None,
        };
        apply(&r, &mut plan);
        assert_eq!(plan.tracer, Tracer::FunctionGraph);
        assert_eq!(plan.syscalls, ["openat", "bpf"]);
        assert_eq!(plan.graph_functions, ["__sys_bpf"]);
        assert_eq!(plan.depth, Some(0));
        assert!(plan.retval);
        std::fs::write(dir.path().join("report.json"), r#"{"comparisons":[]}"#).unwrap();
        assert!(
            load(dir.path())
                .unwrap_err()
                .to_string()
                .contains("no next-capture recipe")
        );
    }
}
