# syntax=docker/dockerfile:1
# Multi-stage build: dependencies are installed and type-checked in a builder, the runtime
# image carries only production dependencies and runs as a non-root user.
# ROLE=web | worker | all selects what the container runs (see server/serve.ts).

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
RUN npm run typecheck && npm run lint && npm run build

FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    ROLE=all \
    DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /app/server ./server
COPY --from=build /app/web ./web
COPY --from=build /app/institution-portal ./institution-portal
COPY --from=build /app/admin ./admin
COPY --from=build /app/channel-portal ./channel-portal
COPY --from=build /app/scripts ./scripts
RUN groupadd --system app && useradd --system --gid app --home /app app \
    && mkdir -p /data && chown app:app /data
USER app
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# the esbuild bundle made in the build stage (npm run build); the scripts under scripts/ still run with tsx
CMD ["node", "dist/main.js"]
