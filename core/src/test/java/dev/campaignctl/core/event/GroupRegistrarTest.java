package dev.campaignctl.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.campaignctl.core.db.Database;
import dev.campaignctl.core.error.ApiException;
import dev.campaignctl.core.error.ErrorKind;
import dev.campaignctl.core.testing.Sql;
import dev.campaignctl.core.testing.TestDatabases;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Concurrent single registrations sharing transactions answer exactly as lone registrations would. */
class GroupRegistrarTest {

    private Database db;
    private GroupRegistrar registrar;

    @BeforeEach
    void setUp() {
        db = TestDatabases.fresh();
        registrar = new GroupRegistrar(db.dataSource(), new EventRegistration(db.dataSource()));
    }

    @AfterEach
    void tearDown() {
        registrar.close();
        db.close();
    }

    private static NewEvent event(String externalId, String amount) {
        return new NewEvent(externalId, "C1", "M1", new BigDecimal(amount), null, null, null);
    }

    @Test
    void concurrentRegistrationsAreStoredOnceEachWithDuplicatesAndConflictsAnsweredPerCaller() throws Exception {
        int callers = 64;
        int perCaller = 50;
        ConcurrentHashMap<String, Long> created = new ConcurrentHashMap<>();
        ConcurrentHashMap<String, Long> duplicateIds = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                runs.add(pool.submit(() -> {
                    for (int i = 0; i < perCaller; i++) {
                        // Every key is sent by two callers at once; one of every ten with another amount.
                        String key = "k-" + (caller / 2) + "-" + i;
                        String amount = caller % 2 == 1 && i % 10 == 0 ? "2" : "1";
                        try {
                            Registration r = registrar.register(event(key, amount));
                            if (r.duplicate()) {
                                duplicates.incrementAndGet();
                                duplicateIds.put(key, r.event().id());
                            } else {
                                assertThat(created.put(key, r.event().id())).isNull();
                                assertThat(r.event().status()).isEqualTo(EventStatus.PENDING);
                                assertThat(r.event().externalId()).isEqualTo(key);
                            }
                        } catch (ApiException e) {
                            assertThat(e.kind()).isEqualTo(ErrorKind.CONFLICT);
                            conflicts.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }
        int keys = callers / 2 * perCaller;
        assertThat(created).hasSize(keys);
        assertThat(duplicates.get() + conflicts.get()).isEqualTo(keys);
        assertThat(conflicts.get()).isEqualTo(callers / 2 * perCaller / 10);
        duplicateIds.forEach((key, id) -> assertThat(created.get(key)).isEqualTo(id));
        assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(keys);
    }

    @Test
    void eventsWithoutExternalIdAreEachStoredAndAnsweredWithTheirOwnRow() throws Exception {
        ConcurrentHashMap<Long, BigDecimal> answered = new ConcurrentHashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 1; i <= 2_000; i++) {
                String amount = Integer.toString(i);
                runs.add(pool.submit(() -> {
                    Registration r = registrar.register(event(null, amount));
                    answered.put(r.event().id(), r.event().amount());
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }
        assertThat(answered).hasSize(2_000);
        // Each caller got back the row it sent, not a neighbour's from the same group.
        answered.forEach((id, amount) -> assertThat(Sql.count(db, "SELECT amount FROM events WHERE id = " + id))
                .isEqualTo(amount.longValue()));
        assertThat(Sql.count(db, "SELECT count(DISTINCT amount) FROM events")).isEqualTo(2_000);
    }

    @Test
    void aGroupThatFailsInTheDatabaseIsRetriedOneByOneAndOnlyTheBadEventFails() throws Exception {
        // A CHECK the validation in NewEvent does not know of: the database refuses this one row.
        Sql.execute(db, "ALTER TABLE events ADD CONSTRAINT no_666 CHECK (amount <> 666)");
        List<Future<Object>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 600; i < 700; i++) {
                String amount = Integer.toString(i);
                answers.add(pool.submit(() -> {
                    try {
                        return registrar.register(event(null, amount));
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            long failed = 0;
            for (Future<Object> answer : answers) {
                if (answer.get() instanceof RuntimeException) {
                    failed++;
                }
            }
            assertThat(failed).isEqualTo(1);
        }
        assertThat(Sql.count(db, "SELECT count(*) FROM events")).isEqualTo(99);
    }
}
