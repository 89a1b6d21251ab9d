# Times one lme4 fit of the random-slope benchmark (bench_slopes.py runs it in the same run as
# TrustLab's fits): Rscript tests/bench/lme4_time_slopes.R SIZE glmer|lmer
# Prints one JSON line: seconds, logLik. The settings are the reference ones (lme4_slopes.R).
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
size <- args[[1]]
kind <- args[[2]]
here <- dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))))
raw <- read.csv(gzfile(file.path(here, "..", "analysis", "reference", paste0("slopes_", size, ".csv.gz"))))
d <- data.frame(
  participant = factor(raw$participant), case = factor(raw$case),
  stratum = factor(ifelse(raw$stratum == 1, "radiology", "non_radiology"),
                   levels = c("non_radiology", "radiology")),
  advice_source = factor(ifelse(raw$advice_source == 1, "human", "ai"), levels = c("ai", "human")),
  advice_correct = raw$advice_correct == 1,
  correct_decision = raw$correct_decision, rating = raw$rating
)
random <- "(1 + advice_correct | participant) + (1 | case)"
fixed <- "advice_correct * advice_source * stratum"
t0 <- proc.time()[["elapsed"]]
if (kind == "glmer") {
  fit <- glmer(as.formula(paste("correct_decision ~", fixed, "+", random)), data = d,
               family = binomial,
               control = glmerControl(optimizer = "bobyqa", calc.derivs = TRUE, tolPwrss = 1e-10))
} else {
  fit <- lmer(as.formula(paste("rating ~", fixed, "+", random)), data = d, REML = TRUE)
}
seconds <- proc.time()[["elapsed"]] - t0
cat(sprintf('{"seconds": %.3f, "log_likelihood": %.6f}\n', seconds, as.numeric(logLik(fit))))
