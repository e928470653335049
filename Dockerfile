# syntax=docker/dockerfile:1
# ais-s3 gateway image.
#
#   docker build -t ais-s3:0.1.0 .
#   docker run --rm -p 8080:8080 -v ais-s3-data:/data ais-s3:0.1.0
#
# Three stages: production dependencies only, the TypeScript build, and the runtime image that gets the
# two (no compiler, no dev dependencies, no npm cache). Debian slim rather than Alpine: lmdb's prebuilt
# native binding is built for glibc.
ARG NODE_IMAGE=node:22-bookworm-slim

# --- production node_modules (npm ci --omit=dev) -------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- compile src/ to dist/ (needs the dev dependencies: typescript and the types) ----------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/data
# A fixed numeric non-root user (the Helm chart runs as 10001 with fsGroup 10001; Kubernetes'
# runAsNonRoot can only verify a numeric USER). It owns nothing but the data directory.
RUN groupadd --system --gid 10001 ais-s3 \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ais-s3 \
 && mkdir -p /data \
 && chown 10001:10001 /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER 10001:10001
EXPOSE 8080
# Node itself is PID 1 (exec form, no shell, no npm): the gateway installs its own SIGTERM/SIGINT handlers
# (readiness off, in-flight requests drain, exit 0), which is what a PID 1 needs, since the kernel
# ignores signals for which PID 1 has no handler. It spawns no child processes, so there are no zombies to
# reap and no init (tini, `docker run --init`) is needed. The only writes are to DATA_DIR and /tmp, so
# the root filesystem can be mounted read-only.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
