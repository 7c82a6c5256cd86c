# syntax=docker/dockerfile:1
# Every Pasar image, one stage each, from one shared install base. Build with the repository root as
# context and the image as target (docker-compose.yml does): docker build --target core-api .
#   core-api       the API and the job worker (same image, `node core-api/src/worker.ts`)
#   storefront     Astro SSR on the node adapter; run time: PASAR_API_URL, the API as the server sees it
#   seller-portal  the static Preact SPA, served by nginx; PASAR_API_URL (build arg) is baked in: the
#                  API as the seller's browser sees it

# --- manifests: the install base every image starts from ------------------------------------------
FROM node:24-slim AS manifests
WORKDIR /app
# every workspace manifest, so `npm ci` sees the lockfile in sync with the whole workspace
COPY package.json package-lock.json ./
COPY openapi/package.json openapi/
COPY core-api/package.json core-api/
COPY storefront/package.json storefront/
COPY seller-portal/package.json seller-portal/

# --- core-api ---------------------------------------------------------------------------------------
# production dependencies of the API and the contract package
# (bcrypt and sharp ship prebuilt binaries for linux x64/arm64, glibc: no compiler needed)
FROM manifests AS core-api-deps
RUN npm ci --omit=dev --workspace core-api --workspace openapi --no-audit --no-fund \
  && npm cache clean --force

FROM node:24-slim AS core-api
ENV NODE_ENV=production PORT=3000
WORKDIR /app
# node_modules at the root and in each workspace (npm nests a version when two are needed)
COPY --from=core-api-deps /app ./
# TypeScript runs as is on Node 24 (type stripping): there is no build step for the API.
# migrations/ and seeds/ are read at run time (migrate on start, demo seed when SEED_DEMO=true).
COPY openapi openapi
COPY core-api/src core-api/src
COPY migrations migrations
COPY seeds seeds
# nothing is written under /app: with DATABASE_URL, S3_ENDPOINT, SMTP_URL set there is no DATA_DIR
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "core-api/src/server.ts"]

# --- storefront -------------------------------------------------------------------------------------
FROM manifests AS storefront-build
RUN npm ci --workspace storefront --workspace openapi --no-audit --no-fund
COPY tsconfig.base.json ./
COPY openapi openapi
COPY storefront storefront
RUN npm run build -w storefront

# what the built server imports at run time (astro, the node adapter, preact)
FROM manifests AS storefront-deps
RUN npm ci --omit=dev --workspace storefront --workspace openapi --no-audit --no-fund \
  && npm cache clean --force

FROM node:24-slim AS storefront
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4321
WORKDIR /app
COPY --from=storefront-deps /app ./
COPY --from=storefront-build /app/storefront/dist storefront/dist
USER node
EXPOSE 4321
# a static file: checks this server without calling the API every 10 s (the home page answers 503
# while the API is down, which is the API's health, not this container's)
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4321) + '/favicon.svg').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "storefront/dist/server/entry.mjs"]

# --- seller-portal ----------------------------------------------------------------------------------
FROM manifests AS seller-portal-build
RUN npm ci --workspace seller-portal --workspace openapi --no-audit --no-fund
COPY tsconfig.base.json ./
COPY openapi openapi
COPY seller-portal seller-portal
ARG PASAR_API_URL=http://localhost:3000
RUN PASAR_API_URL=$PASAR_API_URL npm run build -w seller-portal

FROM nginx:stable-alpine AS seller-portal
COPY seller-portal/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=seller-portal-build /app/seller-portal/dist /usr/share/nginx/html
EXPOSE 80
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]
