//! Statistical building blocks, written to match the conventions of the common statistics packages
//! (documented per function) and checked against published known answers in `known_answers.rs`.

mod agreement;
mod contingency;
mod distributions;
mod hypergeometric;
mod intervals;
mod multiple;
mod ranks;
mod reliability;
mod survival;

pub use agreement::{AgreementStats, brennan_prediger, cohen_kappa, krippendorff_alpha_nominal, nominal_agreement};
pub use contingency::{
    ChiSquare, EXACT_TABLE_LIMIT, chi_square_independence, cramers_v, fisher_exact_2x2, fisher_freeman_halton_rx2,
};
pub use distributions::{chi_square_sf, ln_gamma, normal_quantile, regularized_gamma_q};
pub use hypergeometric::{Inversion, LnFactorials, Mode, draw_from, hypergeometric};
pub use intervals::{newcombe_difference, wilson};
pub use multiple::benjamini_hochberg;
pub use ranks::{RankTest, TIE_TOLERANCE, kruskal_wallis, mann_whitney, wilcoxon_signed_rank};
pub use reliability::cronbach_alpha;
pub use survival::{KaplanMeier, KmStep, LogRank, Observation, kaplan_meier, log_rank};

#[cfg(test)]
mod known_answers;
