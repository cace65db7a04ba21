# syntax=docker/dockerfile:1

# ---- build: install everything, compile, then drop dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Opt out of the install-time telemetry of a transitive dependency (@scarf/scarf).
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev
# The dashboard (web/dist), served by the app at /.
COPY web/package.json web/package-lock.json ./web/
RUN npm --prefix web ci --no-audit --no-fund
COPY web ./web
RUN npm --prefix web run build

# ---- runtime ----
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/package.json ./package.json
# DATA_DIR holds secrets.json (when JWT_SECRET / ENCRYPTION_KEY are not set) and, without
# DATABASE_URL, the embedded database. It must be writable by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A 64 MB young-generation semi-space (V8 default: 16 MB): fewer scavenges under load, measured
# −10 % CPU per request; the young generation can then hold up to ~190 MB (README → Benchmark).
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
