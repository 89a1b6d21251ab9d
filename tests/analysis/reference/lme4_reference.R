# Reference values for TrustLab's crossed random-intercept models, computed with R lme4.
#
# Rule: every number that tests/analysis/mixed/test_lme4.py compares against comes from this script,
# run on the committed datasets (make_reference_data.py), never from TrustLab's own output.
#
#   Rscript tests/analysis/reference/lme4_reference.R [265x8 1000x20 5000x50]
#
# Writes lme4_<size>.json beside the data: for each model the fixed effects with R's term names,
# their standard errors from vcov() (glmer: the Hessian-based default, calc.derivs = TRUE), the
# variance components, logLik, deviance, AIC, BIC, the fit time, and the R and lme4 versions.
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
    # A covariate with many distinct values (202 design rows), to exercise the dense-X path.
    score = ((raw$participant * 37 + raw$case * 11) %% 101) / 10,
    participant = factor(raw$participant),
    case = factor(raw$case),
    stratum = factor(ifelse(raw$stratum == 1, "radiology", "non_radiology"),
                     levels = c("non_radiology", "radiology")),
    advice_source = factor(ifelse(raw$advice_source == 1, "human", "ai"), levels = c("ai", "human")),
    advice_correct = raw$advice_correct == 1,
    correct_decision = raw$correct_decision,
    rating = raw$rating
  )
}

summarise_fit <- function(fit, seconds, extra = list()) {
  vc <- as.data.frame(VarCorr(fit))
  fe <- fixef(fit)
  v <- as.matrix(vcov(fit))
  out <- list(
    terms = names(fe),
    estimate = unname(fe),
    std_error = unname(sqrt(diag(v))),
    vcov = unname(v),
    random_effects = list(group = vc$grp, variance = vc$vcov, sd = vc$sdcor),
    theta = unname(getME(fit, "theta")),
    log_likelihood = as.numeric(logLik(fit)),
    # For REML fits lme4 deprecates deviance(); the REML criterion is what is comparable.
    deviance = if (isREML(fit)) REMLcrit(fit) else as.numeric(deviance(fit)),
    aic = AIC(fit),
    bic = BIC(fit),
    reml = isREML(fit),
    singular = isSingular(fit),
    messages = as.list(fit@optinfo$conv$lme4$messages),
    fit_seconds = seconds
  )
  c(out, extra)
}

for (size in sizes) {
  raw <- read.csv(gzfile(file.path(script_dir, paste0("crossed_", size, ".csv.gz"))))
  d <- decode(raw)
  result <- list(
    dataset = paste0("crossed_", size, ".csv.gz"),
    n_obs = nrow(d),
    r_version = R.version.string,
    lme4_version = as.character(packageVersion("lme4")),
    models = list()
  )

  glmm_formula <- correct_decision ~ advice_correct * advice_source * stratum +
    (1 | participant) + (1 | case)
  # lme4's default PIRLS tolerance (tolPwrss = 1e-7, relative) leaves the conditional modes loose
  # enough to bias logLik by 0.02 at 1,000 x 20 (and move the optimum by up to 8e-4); the
  # reference uses a tight one so that it is the optimum of the exact Laplace deviance. The
  # default-control fit is recorded too, for information.
  t0 <- proc.time()[["elapsed"]]
  glmm <- glmer(
    glmm_formula, data = d, family = binomial,
    control = glmerControl(optimizer = "bobyqa", calc.derivs = TRUE, tolPwrss = 1e-10)
  )
  seconds <- proc.time()[["elapsed"]] - t0
  # The theta-conditional SEs (lme4's RX), for information only: TrustLab reports the Hessian ones.
  conditional_se <- unname(sqrt(diag(as.matrix(suppressWarnings(vcov(glmm, use.hessian = FALSE))))))
  result$models$glmm_laplace <- summarise_fit(glmm, seconds, list(
    conditional_std_error = conditional_se,
    max_abs_gradient = max(abs(glmm@optinfo$derivs$gradient))
  ))
  cat(size, "glmer", seconds, "s\n")

  t0 <- proc.time()[["elapsed"]]
  default_glmm <- glmer(
    glmm_formula, data = d, family = binomial,
    control = glmerControl(optimizer = "bobyqa", calc.derivs = TRUE)
  )
  seconds <- proc.time()[["elapsed"]] - t0
  result$models$glmm_laplace_default_tolpwrss <- summarise_fit(default_glmm, seconds)
  cat(size, "glmer (default tolPwrss)", seconds, "s\n")

  for (reml in c(TRUE, FALSE)) {
    t0 <- proc.time()[["elapsed"]]
    lmm <- lmer(rating ~ advice_correct * advice_source * stratum + (1 | participant) + (1 | case),
                data = d, REML = reml)
    seconds <- proc.time()[["elapsed"]] - t0
    name <- if (reml) "lmm_reml" else "lmm_ml"
    result$models[[name]] <- summarise_fit(lmm, seconds)
    cat(size, name, seconds, "s\n")
  }

  if (size == "265x8") {
    # Structures beyond the study's balanced design, on the Gaube-size set: one random
    # intercept, a continuous covariate, and an unbalanced design (about 1 trial in 11 dropped).
    tight <- glmerControl(optimizer = "bobyqa", calc.derivs = TRUE, tolPwrss = 1e-10)
    extra <- list(
      glmm_participant_only = list(
        correct_decision ~ advice_correct * advice_source * stratum + (1 | participant), d
      ),
      glmm_covariate = list(
        correct_decision ~ advice_correct + score + (1 | participant) + (1 | case), d
      ),
      glmm_unbalanced = list(glmm_formula, d[(raw$participant * 7 + raw$case * 3) %% 11 != 0, ])
    )
    for (name in names(extra)) {
      t0 <- proc.time()[["elapsed"]]
      fit <- glmer(extra[[name]][[1]], data = extra[[name]][[2]], family = binomial,
                   control = tight)
      result$models[[name]] <- summarise_fit(fit, proc.time()[["elapsed"]] - t0)
    }
    unbalanced <- d[(raw$participant * 7 + raw$case * 3) %% 11 != 0, ]
    t0 <- proc.time()[["elapsed"]]
    fit <- lmer(rating ~ advice_correct * advice_source * stratum + (1 | participant) + (1 | case),
                data = unbalanced, REML = TRUE)
    result$models$lmm_reml_unbalanced <- summarise_fit(fit, proc.time()[["elapsed"]] - t0)
    cat(size, "extra structures done\n")
  }

  write_json(result, file.path(script_dir, paste0("lme4_", size, ".json")),
             digits = NA, auto_unbox = TRUE, pretty = TRUE)
}
