# papers-digest: one image, several roles (start --role all|web|worker).
# Stage 1 compiles the TypeScript (dev dependencies present only here); stage 2 holds the compiled JavaScript,
# the production dependencies and the templates — no TypeScript, tsx or esbuild in the image.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY src ./src
RUN npm run build

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin/papers-digest.js ./bin/papers-digest.js
# `npm start` works here too: its build step finds dist/ current (no sources to be newer) and does nothing.
COPY scripts/build.mjs ./scripts/build.mjs
COPY templates ./templates
RUN mkdir -p /app/data && chown -R node:node /app/data
# Bound V8's heap. Unbounded, it is sized from the machine (≈ 4 GB on a 24 GB host) and collected late: the steady
# bench's process grew to 400–530 MB RSS of mostly garbage, while what it really holds after a full GC is ≈ 70 MB
# (README "Sizing"). With these flags the same run peaked at ≈ 210 MB. Raise --max-old-space-size if a worker ever
# logs "JavaScript heap out of memory".
ENV NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=8"
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "bin/papers-digest.js", "start", "--role", "all"]
