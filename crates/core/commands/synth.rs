//! `crosscase synth`: a synthetic project, the demo or one of a given size.

use std::process::ExitCode;

use anyhow::{Context, Result};
use crosscase_model::KommunRegister;

use crate::args::SynthArgs;

pub fn run(args: SynthArgs) -> Result<ExitCode> {
    let project = if args.demo {
        crosscase_synth::demo_project()
    } else {
        let cfg = crosscase_synth::ScaleConfig {
            municipalities: args.municipalities,
            sources: args.sources,
            codes: args.codes,
            codings: args.codings,
            with_text: args.text,
            waves: args.waves,
            seed: args.seed,
        };
        crosscase_synth::scale_project(&cfg, &KommunRegister::sweden())
    };
    let out = &args.out;
    crosscase_ingest::write_project(&project, out).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "Wrote {} ({} sources, {} codings) in {}.",
        project.settings.name,
        project.sources.len(),
        project.codings.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
