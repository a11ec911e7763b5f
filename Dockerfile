# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY config ./config
RUN npm run build

# Runtime stage: production dependencies only, non-root. Node 24, not the minimum 22: the same
# server holds about half the memory per call on it (README "Performance").
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
USER node
EXPOSE 8080
# /readyz turns 503 while draining, which is not "unhealthy": the health check uses /healthz.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node is PID 1 and handles SIGTERM itself (drain, then exit). Give it time: docker stop -t 300.
STOPSIGNAL SIGTERM
# --max-semi-space-size=8 (MB): the same command line as `npm start`; why in README "Performance".
CMD ["node", "--max-semi-space-size=8", "dist/src/main.js"]
