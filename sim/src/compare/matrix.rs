//! The configurations of a comparison: each scenario file × the cartesian
//! product of its axes (its own `[compare]` axes, then those given on the
//! command line). A configuration is the scenario's text with the axis
//! values written in at their dotted key paths (toml_edit keeps the rest
//! of the file, so errors still point at lines).

use crate::error::Error;
use crate::scenario::schema::{AxisSpec, CompareSpec};
use crate::scenario::{Key, Source};
use serde::Deserialize;

/// One axis: keys set together to each point's values.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Name (CSV column, plot labels).
    pub name: String,
    /// Dotted key paths.
    pub keys: Vec<String>,
    /// (label, one value per key).
    pub points: Vec<(String, Vec<toml_edit::Value>)>,
}

/// One configuration to run over the seeds.
#[derive(Debug, Clone)]
pub struct Config {
    /// Label in plots and the CSV.
    pub label: String,
    /// (axis name, point label) for each axis.
    pub settings: Vec<(String, String)>,
    /// (dotted key, value as `--set` takes it) of every key the axes set.
    pub sets: Vec<(String, String)>,
    /// The edited scenario.
    pub source: Source,
}

#[derive(Deserialize)]
struct CompareOnly {
    compare: Option<CompareSpec>,
}

/// A file's `[compare]` table, if any (other keys are not looked at here).
pub fn compare_spec(src: &Source) -> Result<Option<CompareSpec>, Error> {
    let spec = src.parse::<CompareOnly>()?.compare;
    let max = crate::scenario::limits::COMPARE_RUNS_MAX;
    if let Some(seeds) = spec
        .as_ref()
        .map(|s| s.seeds)
        .filter(|s| !(1..=max).contains(s))
    {
        let m = format!("expected [compare] seeds in [1, {max}], found {seeds}");
        return Err(src.error_at_key(&[Key::Name("compare"), Key::Name("seeds")], m));
    }
    Ok(spec)
}

/// The axes a file declares.
pub fn file_axes(src: &Source, spec: &CompareSpec) -> Result<Vec<Axis>, Error> {
    let at = |i: usize| [Key::Name("compare"), Key::Name("axes"), Key::Index(i)];
    spec.axes
        .iter()
        .enumerate()
        .map(|(i, a)| axis(a).map_err(|m| src.error_at_key(&at(i), m)))
        .collect()
}

fn axis(a: &AxisSpec) -> Result<Axis, String> {
    if a.set.is_empty() || a.values.is_empty() {
        return Err("expected a non-empty `set` and `values`".into());
    }
    let mut points = Vec::new();
    for (i, v) in a.values.iter().enumerate() {
        let values: Vec<toml::Value> = match (v, a.set.len()) {
            (toml::Value::Array(vs), n) if n > 1 && vs.len() == n => vs.clone(),
            (v, 1) => vec![v.clone()],
            _ => {
                return Err(format!(
                    "values[{i}]: expected an array of {} values, one per key of `set`",
                    a.set.len()
                ))
            }
        };
        let label = match &a.labels {
            Some(l) => l.get(i).cloned().ok_or("expected one label per value")?,
            None => values.iter().map(plain).collect::<Vec<_>>().join("-"),
        };
        points.push((
            label,
            values.iter().map(edit_value).collect::<Result<_, _>>()?,
        ));
    }
    let name = a.name.clone().unwrap_or_else(|| last_key(&a.set[0]));
    Ok(Axis {
        name,
        keys: a.set.clone(),
        points,
    })
}

fn last_key(path: &str) -> String {
    path.rsplit('.').next().unwrap_or(path).to_string()
}

/// A value as a label: strings without quotes.
fn plain(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn edit_value(v: &toml::Value) -> Result<toml_edit::Value, String> {
    v.to_string().parse().map_err(|e| format!("{e}"))
}

/// An axis from the command line: `KEY=V1,V2,...` (values read as TOML,
/// else as strings).
pub fn cli_axis(text: &str) -> Result<Axis, String> {
    let (key, values) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=V1,V2,... found {text:?}"))?;
    let points = values
        .split(',')
        .map(|v| {
            let v = v.trim();
            (v.trim_matches('"').to_string(), vec![parse_value(v)])
        })
        .collect();
    Ok(Axis {
        name: last_key(key),
        keys: vec![key.to_string()],
        points,
    })
}

/// A value typed on the command line: TOML if it parses, else a string.
pub fn parse_value(text: &str) -> toml_edit::Value {
    text.parse::<toml_edit::Value>()
        .unwrap_or_else(|_| text.into())
}

/// `v` as `--set KEY=VALUE` takes it: a string bare when it would read
/// back as the same string, else its TOML form.
fn typed(v: &toml_edit::Value) -> String {
    match v.as_str() {
        Some(s) if parse_value(s).as_str() == Some(s) => s.to_string(),
        _ => v.to_string().trim().to_string(),
    }
}

/// Every configuration of `src` over `axes` (cartesian product, first axis
/// outermost); `prefix` goes before the label (the file, when comparing several).
pub fn configs(src: &Source, axes: &[Axis], prefix: Option<&str>) -> Result<Vec<Config>, Error> {
    let max = crate::scenario::limits::CONFIGS_MAX;
    let count = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.points.len()))
        .filter(|&n| n <= max);
    if count.is_none() {
        let sizes: Vec<String> = axes.iter().map(|a| a.points.len().to_string()).collect();
        let m = format!(
            "compare: the axes make {} configurations; at most {max}",
            sizes.join(" x ")
        );
        return Err(src.error_at_key(&[Key::Name("compare")], m));
    }
    type Partial = (Vec<(String, String)>, Vec<(String, String)>, String);
    let mut out: Vec<Partial> = vec![(Vec::new(), Vec::new(), src.text.clone())];
    for axis in axes {
        let mut next = Vec::new();
        for (settings, sets, text) in &out {
            for (label, values) in &axis.points {
                let text = set_keys(src, text, &axis.keys, values)?;
                let mut settings = settings.clone();
                settings.push((axis.name.clone(), label.clone()));
                let mut sets = sets.clone();
                sets.extend((axis.keys.iter().cloned()).zip(values.iter().map(typed)));
                next.push((settings, sets, text));
            }
        }
        out = next;
    }
    Ok(out
        .into_iter()
        .map(|(settings, sets, text)| {
            let mut parts: Vec<String> = prefix.map(str::to_string).into_iter().collect();
            parts.extend(settings.iter().map(|(_, l)| l.clone()));
            let label = if parts.is_empty() {
                "base".to_string()
            } else {
                parts.join(" ")
            };
            let source = Source {
                path: src.path.clone(),
                text,
            };
            Config {
                label,
                settings,
                sets,
                source,
            }
        })
        .collect())
}

/// `text` (of `src`) with each dotted key path set to its value; missing
/// tables are created.
pub fn set_keys(
    src: &Source,
    text: &str,
    keys: &[String],
    values: &[toml_edit::Value],
) -> Result<String, Error> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| src.error_at(None, e.to_string()))?;
    for (key, value) in keys.iter().zip(values) {
        let mut item = doc.as_item_mut();
        for part in key.split('.') {
            // Inline tables count as tables: `network.latency.max_ms`
            // reaches into `latency = { dist = "uniform", ... }`.
            if part.is_empty() || (item.is_value() && !item.is_inline_table()) {
                return Err(src.error_at(
                    None,
                    format!("cannot set {key:?}: expected a dotted path of tables ending in a key"),
                ));
            }
            if item.is_none() {
                // A missing table (e.g. no [protocol.params] yet): a real
                // table, not the inline one indexing would make.
                *item = toml_edit::Item::Table(toml_edit::Table::new());
            }
            item = &mut item[part];
        }
        *item = toml_edit::Item::Value(value.clone());
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source {
            path: "t.toml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn product_of_axes_sets_every_key() {
        let s = src("[protocol]\nname = \"raft\"\n[compare]\nseeds = 3\n[[compare.axes]]\nset = [\"protocol.params.a\", \"protocol.params.b\"]\nvalues = [[1, 2], [3, 4]]\n");
        let spec = compare_spec(&s).unwrap().unwrap();
        assert_eq!(spec.seeds, 3);
        let mut axes = file_axes(&s, &spec).unwrap();
        axes.push(cli_axis("protocol.variant=correct,buggy").unwrap());
        let c = configs(&s, &axes, None).unwrap();
        assert_eq!(c.len(), 4);
        assert_eq!(c[1].label, "1-2 buggy");
        assert!(c[3].source.text.contains("a = 3"), "{}", c[3].source.text);
        assert!(c[3].source.text.contains("b = 4"));
        assert!(c[3].source.text.contains("variant = \"buggy\""));
    }

    #[test]
    fn keys_inside_inline_tables_are_set_in_place() {
        let s = src("[network]\nlatency = { dist = \"uniform\", min_ms = 1, max_ms = 10 }\n");
        let axes = vec![cli_axis("network.latency.max_ms=5,20").unwrap()];
        let c = configs(&s, &axes, None).unwrap();
        assert_eq!(c.len(), 2);
        let text = &c[1].source.text;
        assert!(text.contains("max_ms = 20"), "{text}");
        assert!(text.contains("dist = \"uniform\""), "{text}");
        let e = set_keys(&s, &s.text, &["network.latency.dist.x".into()], &[1.into()]);
        assert!(e.unwrap_err().to_string().contains("cannot set"));
    }

    #[test]
    fn a_value_list_of_the_wrong_width_is_an_error_at_the_axis() {
        let s = src("[[compare.axes]]\nset = [\"a.b\", \"a.c\"]\nvalues = [1]\n");
        let spec = compare_spec(&s).unwrap().unwrap();
        let e = file_axes(&s, &spec).unwrap_err().to_string();
        assert!(e.contains("t.toml:1"), "{e}");
    }
}
