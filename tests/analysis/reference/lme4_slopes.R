# Reference values for TrustLab's general random-effects models (random slopes, uncorrelated
# terms, a third and nested grouping factor), computed with R lme4.
#
# Rule: every number tests/analysis/mixed/test_lme4_slopes.py compares against comes from this
# script, run on the committed datasets (make_slope_data.py), never from TrustLab's own output.
#
#   Rscript tests/analysis/reference/lme4_slopes.R [265x8 1000x20 5000x50]
#
# Writes lme4_slopes_<size>.json beside the data: for each model the fixed effects with R's term
# names, their standard errors from vcov() (glmer: Hessian-based, calc.derivs = TRUE), VarCorr as
# rows (grp, var1, var2, vcov, sdcor), theta, logLik, deviance or the REML criterion, AIC, BIC,
# isSingular, the fit time, and the R and lme4 versions.
suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script_dir <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
sizes <- commandArgs(trailingOnly = TRUE)
if (length(sizes) == 0) sizes <- c("265x8", "1000x20", "5000x50")

decode <- function(raw) {
  data.frame(
    participant = factor(raw$participant),
    case = factor(raw$case),
    site = factor(raw$site),
    stratum = factor(ifelse(raw$stratum == 1, "radiology", "non_radiology"),
                     levels = c("non_radiology", "radiology")),
    advice_source = factor(ifelse(raw$advice_source == 1, "human", "ai"), levels = c("ai", "human")),
    advice_correct = raw$advice_correct == 1,
    # Numeric 0/1 copies for the uncorrelated (||) terms: lme4 splits a factor or a logical
    # in || into one column per level, a number into one column.
    ac = raw$advice_correct,
    human = raw$advice_source,
    correct_decision = raw$correct_decision,
    rating = raw$rating
  )
}

tight <- glmerControl(optimizer = "bobyqa", calc.derivs = TRUE, tolPwrss = 1e-10)

summarise_fit <- function(fit, seconds) {
  vc <- as.data.frame(VarCorr(fit))
  fe <- fixef(fit)
  v <- as.matrix(vcov(fit))
  list(
    terms = names(fe),
    estimate = unname(fe),
    std_error = unname(sqrt(diag(v))),
    varcorr = list(grp = vc$grp, var1 = ifelse(is.na(vc$var1), "", vc$var1),
                   var2 = ifelse(is.na(vc$var2), "", vc$var2), vcov = vc$vcov, sdcor = vc$sdcor),
    theta = unname(getME(fit, "theta")),
    log_likelihood = as.numeric(logLik(fit)),
    deviance = if (isREML(fit)) REMLcrit(fit) else as.numeric(deviance(fit)),
    aic = AIC(fit),
    bic = BIC(fit),
    reml = isREML(fit),
    singular = isSingular(fit),
    messages = as.list(fit@optinfo$conv$lme4$messages),
    fit_seconds = seconds
  )
}

fixed <- "advice_correct * advice_source * stratum"
models <- list(
  glmm_slope = list("glmer", "correct_decision", "(1 + advice_correct | participant) + (1 | case)"),
  lmm_slope_reml = list("lmer_reml", "rating", "(1 + advice_correct | participant) + (1 | case)"),
  lmm_slope_ml = list("lmer_ml", "rating", "(1 + advice_correct | participant) + (1 | case)")
)
extra <- list(
  glmm_uncorrelated = list("glmer", "correct_decision", "(1 + ac || participant) + (1 | case)"),
  glmm_case_slope = list("glmer", "correct_decision",
                         "(1 + advice_correct | participant) + (1 + advice_source | case)"),
  glmm_nested = list("glmer", "correct_decision", "(1 | site/participant) + (1 | case)"),
  lmm_case_slope_reml = list("lmer_reml", "rating",
                             "(1 + advice_correct | participant) + (1 + advice_source | case)"),
  lmm_nested_reml = list("lmer_reml", "rating", "(1 | site/participant) + (1 | case)"),
  lmm_uncorrelated_reml = list("lmer_reml", "rating", "(1 + ac || participant) + (1 | case)")
)

for (size in sizes) {
  raw <- read.csv(gzfile(file.path(script_dir, paste0("slopes_", size, ".csv.gz"))))
  d <- decode(raw)
  result <- list(
    dataset = paste0("slopes_", size, ".csv.gz"),
    n_obs = nrow(d),
    r_version = R.version.string,
    lme4_version = as.character(packageVersion("lme4")),
    models = list()
  )
  todo <- if (size == "265x8") c(models, extra) else models
  for (name in names(todo)) {
    spec <- todo[[name]]
    formula <- as.formula(paste(spec[[2]], "~", fixed, "+", spec[[3]]))
    t0 <- proc.time()[["elapsed"]]
    fit <- switch(spec[[1]],
      glmer = glmer(formula, data = d, family = binomial, control = tight),
      lmer_reml = lmer(formula, data = d, REML = TRUE),
      lmer_ml = lmer(formula, data = d, REML = FALSE)
    )
    seconds <- proc.time()[["elapsed"]] - t0
    summary <- summarise_fit(fit, seconds)
    summary$formula <- paste(spec[[2]], "~", fixed, "+", spec[[3]])
    result$models[[name]] <- summary
    cat(size, name, seconds, "s\n")
  }
  write_json(result, file.path(script_dir, paste0("lme4_slopes_", size, ".json")),
             digits = NA, auto_unbox = TRUE, pretty = TRUE)
}
