# The FHIR server on the official Node 24 image (Debian bookworm). Not built by CI: no Docker engine
# runs on the project's machines. /data (a volume) holds the access tokens' signing keys and the first
# start's account passwords, and the embedded SQLite store's file; with FHIR_STORE=mongo the resources
# and the authorization state are in MongoDB instead (docker-compose.yml runs it that way).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci
COPY server ./server
COPY seed ./seed
COPY bench ./bench
COPY profiles/build ./profiles/build
COPY test ./test
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=8080 FHIR_DATA_DIR=/data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY terminology ./terminology
COPY profiles ./profiles
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
EXPOSE 8080
USER node
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=16", "dist/server/main.js"]
