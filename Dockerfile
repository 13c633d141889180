# Multi-stage build of campaignctl: the Maven Wrapper builds the app layout (an app jar plus libs/),
# the runtime image holds only a JRE and that layout, and runs as a non-root user.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY core/pom.xml core/pom.xml
COPY server/pom.xml server/pom.xml
COPY cli/pom.xml cli/pom.xml
COPY bench/pom.xml bench/pom.xml
RUN ./mvnw -q -B dependency:go-offline -DskipTests || true
COPY . .
RUN ./mvnw -q -B -DskipTests install -pl cli -am

FROM eclipse-temurin:21-jre
# curl for the container healthchecks in docker-compose.yml.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /var/lib/campaignctl --create-home campaignctl
WORKDIR /opt/campaignctl
COPY --from=build /src/cli/target/campaignctl.jar ./campaignctl.jar
COPY --from=build /src/cli/target/libs ./libs
USER campaignctl
ENV CAMPAIGNCTL_HOME=/var/lib/campaignctl
EXPOSE 8000 8001 8002
ENTRYPOINT ["java", "-jar", "/opt/campaignctl/campaignctl.jar"]
CMD ["serve", "all"]
